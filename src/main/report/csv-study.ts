import type { StudyDetail } from '../../shared/study.js';
import { csvField } from './csv.js';

/**
 * A study's CSV: one row per arm x seed x epoch, the G quality measured while
 * training; the run's final estimate sits on the row of the epoch it was
 * measured at (empty elsewhere). RFC 4180 and CRLF, as the focus CSV.
 */
export const STUDY_CSV_COLUMNS = [
  'study_id',
  'arm',
  'excluded',
  'seed',
  'run_id',
  'status',
  'epoch',
  'fid_mnist',
  'digits_present',
  'final_kid',
  'final_kid_std',
  'final_fid_infinity',
  'final_digits_present',
] as const;

export function studyCsv(d: StudyDetail): { text: string; rows: number } {
  const lines: string[] = [STUDY_CSV_COLUMNS.join(',')];
  for (const a of d.arms)
    for (const r of a.runs)
      for (const q of r.quality) {
        const f = r.final?.epoch === q.epoch ? r.final : null;
        lines.push(
          [d.id, a.name, a.excluded, r.seed, r.id, r.status, q.epoch, q.fidMnist, q.digitsPresent, f?.kid ?? null, f?.kidStd ?? null, f?.fidInfinity ?? null, f?.digitsPresent ?? null]
            .map(csvField)
            .join(','),
        );
      }
  return { text: `${lines.join('\r\n')}\r\n`, rows: lines.length - 1 };
}
