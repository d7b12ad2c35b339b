import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/gan-focus.js', import.meta.url));

/** Runs a gan-focus command to completion and fails loudly with its output. */
export function cli(home: string, args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, '--home', home, ...args], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gan-focus ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Starts `gan-focus serve` (on a free port unless given) and resolves with the URL it prints and what it printed so far. */
export function startServe(home: string, extra: string[] = [], port = 0): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [BIN, '--home', home, 'serve', '--port', String(port), ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /open (http\S+)/.exec(out);
      if (m) resolve({ url: m[1], child, output: () => out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`gan-focus serve exited (${code}) before printing its URL:\n${out}`)));
  });
}
