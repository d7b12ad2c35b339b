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

/** Reports of one run or a comparison under the shared explain selection, returned as content for the browser to save (no server path involved). */
export const useReportStore = defineStore('report', () => {
  const api = useApi();
  const busy = ref<ReportFormat | null>(null);
  const error = ref<string | null>(null);
  const selection = useSelectionStore();

  async function exportReport(ids: number[], format: ReportFormat): Promise<ReportFile | null> {
    busy.value = format;
    error.value = null;
    try {
      const r = await api.call('exportReport', { ids, format, ...selection.params });
      if (r.content === null) throw new Error('the server wrote the report to a file instead of returning it');
      const data = r.encoding === 'base64' ? Uint8Array.from(atob(r.content), (c) => c.charCodeAt(0)) : r.content;
      return { filename: `gan-focus-${ids.length > 1 ? 'compare' : 'run'}-${ids.join('-')}.${format}`, mime: MIME[format], data };
    } catch (err) {
      error.value = describeError(err);
      return null;
    } finally {
      busy.value = null;
    }
  }

  return { formats: REPORT_FORMATS, busy, error, exportReport };
});
