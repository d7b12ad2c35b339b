import type { CompareResult } from '../../shared/api.js';
import type { RunConfig } from '../../shared/config.js';
import { listQuality } from '../store/quality.js';
import { getRun } from '../store/runs.js';
import type { MethodGroup, RouterContext } from './context.js';
import { ApiError } from './errors.js';
import { camChoice, completeExplanations } from './explain-methods.js';
import { focusWithRecommendation } from './focus-summary.js';
import { runDetail } from './run-methods.js';

/** Flattens a config to dotted keys so a diff can list exactly what differs. */
function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = value;
  }
  return out;
}

export function configDiff(configs: RunConfig[]): CompareResult['configDiff'] {
  const flat = configs.map((c) => flatten({ ...c, excluded: c.excluded.length }));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  return keys
    .map((key) => ({ key: key === 'excluded' ? 'excluded (count)' : key, values: flat.map((f) => f[key] ?? null) }))
    .filter((d) => d.values.some((v) => JSON.stringify(v) !== JSON.stringify(d.values[0])));
}

export function compareMethods(ctx: RouterContext): MethodGroup<'compareRuns'> {
  return {
    compareRuns: (p) => {
      if (new Set(p.ids).size < 2) throw new ApiError('bad_request', 'compareRuns needs at least two different runs');
      // A run that no longer exists is named, not a reason to show nothing of the others.
      const missing = p.ids.filter((id) => !getRun(ctx.db, id));
      const runs = p.ids.filter((id) => !missing.includes(id)).map((id) => runDetail(ctx, id));
      const focus = runs.map((run) => {
        const cam = camChoice(run, p);
        return { runId: run.id, ...focusWithRecommendation(ctx, run, completeExplanations(ctx, run.id, 'probe', cam)) };
      });
      return {
        runs,
        missing,
        configDiff: configDiff(runs.map((r) => r.config)),
        focus,
        quality: runs.map((r) => ({ runId: r.id, rows: listQuality(ctx.db, r.id) })),
        flagRates: focus.flatMap((f) => f.summaries.map((s) => ({ runId: f.runId, epoch: s.epoch, flagRate: s.flagRate }))),
        lineage: runs.map((r) => ({ id: r.id, parentId: r.parentId, excludedCount: r.excluded.length })),
      };
    },
  };
}
