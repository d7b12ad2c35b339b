import type { EpochFocusSummary } from '../../../shared/explain.js';

// "No evidence": a CAM that is zero everywhere. Where every probe's CAM is, the
// epoch has no focus to chart and the views say so instead.

/** Epochs at which every probe sample's CAM is zero. */
export function epochsWithoutEvidence(summaries: EpochFocusSummary[]): number[] {
  return summaries.filter((s) => s.samples > 0 && s.noEvidence === s.samples).map((s) => s.epoch);
}

/** "3 of 16 probes without evidence", or the sentence for an epoch with none; '' when not explained. */
export function noEvidenceText(s: EpochFocusSummary | undefined): string {
  if (!s) return '';
  return s.samples > 0 && s.noEvidence === s.samples
    ? `No probe has evidence at epoch ${s.epoch}: every CAM is zero.`
    : `${s.noEvidence} of ${s.samples} probes without evidence`;
}
