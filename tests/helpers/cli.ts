import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = path.join(ROOT, 'bin', 'gan-focus.js');

/** A tiny run: seconds per epoch on any backend. */
export const TINY = ['--arch', 'paper', '--limit', '128', '--width', '4', '--batch', '32'];

export function tempHome(prefix = 'gan-focus-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, GAN_FOCUS_BACKEND: process.env.GAN_FOCUS_BACKEND ?? 'wasm', ...extra };
}

export function runCli(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  // A guard against a hung command, generous: on a shared 2-core machine at load 25,
  // training the 256-image study parent alone took over 5 minutes.
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: cliEnv(env), timeout: 1_800_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function startCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the first JSON line on stdout that satisfies `match`. */
export function waitForLine(child: ChildProcess, match: (obj: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const obj = JSON.parse(line) as Record<string, unknown>;
          if (match(obj)) resolve(obj);
        } catch {
          // not a JSON line
        }
      }
    });
    child.on('exit', (code) => reject(new Error(`CLI exited (${code}) before the expected line; stderr: ${stderr}`)));
  });
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));
}
