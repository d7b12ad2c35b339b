import type { DoctorReport, RunDetail, RunSummary } from '../../shared/api.js';
import type { RunConfig } from '../../shared/config.js';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

/** One JSON object per line: the form of every streamed (--json) output. */
export function printLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printRuns(runs: RunSummary[], json: boolean): void {
  if (json) {
    printJson(runs);
    return;
  }
  if (runs.length === 0) {
    process.stdout.write('no runs yet: gan-focus train\n');
    return;
  }
  const rows = runs.map((r) => [String(r.id), r.name, r.status, `${r.epochsCompleted}/${r.config.epochs}`, r.backend ?? '-', r.createdAt.slice(0, 19)]);
  const head = ['ID', 'NAME', 'STATUS', 'EPOCHS', 'BACKEND', 'CREATED'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i])).join('  ')}\n`);
}

export function printRun(run: RunDetail, json: boolean): void {
  if (json) {
    printJson(run);
    return;
  }
  const c = run.config;
  process.stdout.write(
    `run ${run.id} "${run.name}": ${run.status}${run.error ? ` (${run.error.message})` : ''}\n` +
      `  arch ${c.arch}, ngf ${c.ngf}, ndf ${c.ndf}, nz ${c.nz}, batch ${c.batchSize}, epochs ${c.epochs}, data seed ${c.seed}, training seed ${c.trainingSeed}, ` +
      `images ${c.limit ?? 'all'}${c.excluded.length ? ` minus ${c.excluded.length} excluded` : ''}, backend ${run.backend ?? '-'}\n` +
      stabilisers(c),
  );
  for (const e of run.epochs)
    process.stdout.write(
      `  epoch ${String(e.epoch).padStart(3)}  Loss_D ${e.lossD?.toFixed(4)}  Loss_G ${e.lossG?.toFixed(4)}  D(x) ${e.dx?.toFixed(3)}  ` +
        `D(G(z)) ${e.dgz?.toFixed(3)}  ${e.quality ? `FID-MNIST ${e.quality.fidMnist.toFixed(1)} digits ${e.quality.digitsPresent}  ` : ''}` +
        `${formatDuration(e.seconds ?? 0)}  ${e.checkpoint.discriminator}\n`,
    );
}

export function printDoctor(r: DoctorReport, json: boolean): void {
  if (json) {
    printJson(r);
    return;
  }
  process.stdout.write(`backend: ${r.chosen} (tfjs '${r.tfBackend}'): ${r.detail}\n`);
  for (const s of r.skipped) process.stdout.write(`  skipped ${s.candidate}: ${s.reason}\n`);
  const a = r.gpuAdapter;
  if (a)
    process.stdout.write(
      `webgpu adapter: vendor ${a.vendor || '-'}, architecture ${a.architecture || '-'}, device ${a.device || '-'}, ` +
        `description ${a.description || '-'}${a.software ? ' (software)' : ''}\n`,
    );
  for (const [k, v] of Object.entries(r.versions)) process.stdout.write(`${k} ${v}\n`);
  process.stdout.write(`node ${r.node}; ${r.cores} cores; ${(r.memoryBytes / 2 ** 30).toFixed(1)} GiB memory\nhome: ${r.home}\n`);
}

/** The stabilisers that are on, as a line of `show`; nothing when all are off. */
function stabilisers(c: RunConfig): string {
  const on = [
    c.lrD !== null ? `D learning rate ${c.lrD}` : null,
    c.labelSmoothing > 0 ? `label smoothing ${c.labelSmoothing}` : null,
    c.instanceNoise > 0 ? `instance noise ${c.instanceNoise}` : null,
  ].filter((x) => x !== null);
  return on.length ? `  stabilisers: ${on.join(', ')}\n` : '';
}
