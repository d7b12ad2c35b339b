import type { ReportStudyVerdict } from './report-data.js';

/**
 * The slot for a study's verdict on page 1 of a run's report. The study lane
 * (issue 14) fills it from its study API: the study this run belongs to, its
 * comparison and effect with spread over seeds. Until studies exist no run
 * belongs to one, so there is no verdict to show.
 */
export async function studyVerdict(_runId: number): Promise<ReportStudyVerdict | null> {
  return null;
}
