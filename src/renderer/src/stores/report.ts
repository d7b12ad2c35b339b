import { defineStore } from 'pinia';
import { ref } from 'vue';
import { REPORT_FORMATS, type ReportFormat } from '../../../shared/api.js';
import { describeError } from '../api/errors.js';
import { useApi } from './api.js';
import { useSelectionStore } from './selection.js';

const MIME: Record<ReportFormat, string> = {
  html: 'text/html',
  pdf: 'application/pdf',
  csv: 'text/csv',
  json: 'application/json',
};

export interface ReportFile {
  filename: string;
  mime: string;
  /** Text formats as a string, PDF as bytes. */
  data: string | Uint8Array;
}

/** What a report is of: runs (one, or a comparison) or a study. */
export type ReportSubject = { runs: number[] } | { study: number };

/**
 * Reports of one run or a comparison under the shared explain selection, or of
 * a study, returned as content for the browser to save (no server path involved).
 */
export const useReportStore = defineStore('report', () => {
  const api = useApi();
  const busy = ref<ReportFormat | null>(null);
  const error = ref<string | null>(null);
  const selection = useSelectionStore();

  async function exportReport(subject: ReportSubject, format: ReportFormat): Promise<ReportFile | null> {
    busy.value = format;
    error.value = null;
    try {
      const r =
        'study' in subject
          ? await api.call('exportStudyReport', { id: subject.study, format })
          : await api.call('exportReport', { ids: subject.runs, format, ...selection.params });
      if (r.content === null) throw new Error('the server wrote the report to a file instead of returning it');
      const data = r.encoding === 'base64' ? Uint8Array.from(atob(r.content), (c) => c.charCodeAt(0)) : r.content;
      const name = 'study' in subject ? `study-${subject.study}` : `${subject.runs.length > 1 ? 'compare' : 'run'}-${subject.runs.join('-')}`;
      return { filename: `gan-focus-${name}.${format}`, mime: MIME[format], data };
    } catch (err) {
      error.value = describeError(err);
      return null;
    } finally {
      busy.value = null;
    }
  }

  return { formats: REPORT_FORMATS, busy, error, exportReport };
});
