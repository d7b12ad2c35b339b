import type { Call } from './collect.js';
import type { ReportStudyVerdict } from './report-data.js';

/**
 * The studies a run belongs to, for page 1 of its report: the study's own
 * answer (verdict and effects), read through the API as `study show` reads it,
 * so the report never computes a number the study view does not.
 */
export async function studyVerdicts(call: Call, runId: number): Promise<ReportStudyVerdict[]> {
  const out: ReportStudyVerdict[] = [];
  for (const s of await call('listStudies', { runId })) {
    const d = await call('getStudy', { id: s.id });
    const arm = d.arms.find((a) => a.runs.some((r) => r.id === runId));
    const seed = arm?.runs.find((r) => r.id === runId)?.seed;
    out.push({
      studyId: d.id,
      name: d.name,
      role: arm && seed !== undefined ? { kind: 'arm', arm: arm.name, seed } : { kind: 'parent' },
      status: d.status,
      verdict: d.verdict,
      effect: d.effect,
      seeds: d.seeds.length,
    });
  }
  return out;
}
