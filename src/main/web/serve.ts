import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RunListItem, RunSummary } from '../../shared/api.js';
import { createRouter, type Router } from '../api/router.js';
import type { RunStop } from '../jobs/training.js';
import { startServer } from './server.js';

export interface ServeOptions {
  home: string;
  host?: string;
  port?: number;
  token?: string;
  /** The built renderer; found next to the build or in out/renderer of the project by default. */
  staticDir?: string;
  /** Continue the runs that were training when their process stopped (see resumeInterrupted). */
  resumeInterrupted?: boolean;
}

/** A run `--resume-interrupted` tried to continue: from which epoch, or why it could not. */
export type ResumeOutcome = { id: number; name: string; why: string } & ({ fromEpoch: number } | { error: string });

export interface Serving {
  url: string;
  resumed: ResumeOutcome[];
  /** Stops serving; runs still training are recorded as `stop` says (interrupted, resumable, by default). */
  close(stop?: RunStop): Promise<void>;
}

/** The renderer build, from a bundle (out/main/*.js) or from the sources (src/main/web/*.ts). */
export function findRendererBuild(): string | null {
  const candidates = [new URL('../renderer/', import.meta.url), new URL('../../../out/renderer/', import.meta.url)];
  for (const c of candidates) {
    const dir = fileURLToPath(c);
    if (existsSync(`${dir}index.html`)) return dir.replace(/[\\/]$/, '');
  }
  return null;
}

/**
 * Resumes every run that was training when the process training it stopped
 * (killed, crashed, shut down, the machine rebooted): those the store marks
 * interrupted with code 'process_stopped'. Not the ones a person stopped
 * (cancelled), that failed, or that a full disk interrupted (they wait for space).
 */
export async function resumeInterrupted(router: Router): Promise<ResumeOutcome[]> {
  const runs = (await router.handle('listRuns', { status: 'interrupted' })) as RunListItem[];
  const outcomes: ResumeOutcome[] = [];
  for (const run of runs.filter((r) => r.error?.code === 'process_stopped').sort((a, b) => a.id - b.id)) {
    const why = run.error!.message;
    try {
      const resumed = (await router.handle('resumeRun', { id: run.id })) as RunSummary;
      outcomes.push({ id: run.id, name: run.name, why, fromEpoch: resumed.epochsCompleted + 1 });
    } catch (err) {
      outcomes.push({ id: run.id, name: run.name, why, error: (err as Error).message });
    }
  }
  return outcomes;
}

/** `gan-focus serve`: the router over one home folder, behind the web server. */
export async function serve(opts: ServeOptions): Promise<Serving> {
  const staticDir = opts.staticDir ?? findRendererBuild();
  if (staticDir === null) throw new Error('the renderer is not built (no out/renderer/index.html); run `npm run build` first');
  const router = createRouter({ home: opts.home });
  try {
    const server = await startServer({ router, host: opts.host, port: opts.port, token: opts.token, staticDir });
    const resumed = opts.resumeInterrupted ? await resumeInterrupted(router) : [];
    return {
      url: server.url,
      resumed,
      async close(stop) {
        await server.close();
        router.close(stop);
      },
    };
  } catch (err) {
    router.close();
    throw err;
  }
}
