import path from 'node:path';
import type { MethodName, ReportExport, ReportFormat } from '../../shared/api.js';
import { exportReport, exportStudyReport, ReportError, reportContent, type ExportResult, type ReportSource } from '../report/index.js';
import type { MethodGroup, RouterContext } from './context.js';
import { ApiError } from './errors.js';

/** The largest report returned inside a result; larger ones need `out`. */
export const INLINE_REPORT_BYTES = 64 * 2 ** 20;

/**
 * exportReport over the router's own methods: `api` returns the router's
 * method table (the report reads runs, focus, flags... through it, as the CLI
 * does through the router).
 */
/**
 * A report to `out`, or inline without it. The path is the caller's choice: it
 * must be explicit, and name a file of the format asked for.
 */
async function deliver(
  method: 'exportReport' | 'exportStudyReport',
  format: ReportFormat,
  out: string | undefined,
  write: (out: string) => Promise<ExportResult>,
): Promise<ReportExport> {
  try {
    if (out === undefined) return { format, out: null, ...(await reportContent(format, write, INLINE_REPORT_BYTES)) };
    if (!path.isAbsolute(out)) throw new ApiError('bad_request', `${method}: out must be an absolute path, got ${JSON.stringify(out)}`);
    if (path.extname(out).toLowerCase() !== `.${format}`) throw new ApiError('bad_request', `${method}: out must end in .${format}`);
    return { ...(await write(out)), content: null, encoding: null };
  } catch (err) {
    if (err instanceof ReportError) throw new ApiError(err.input ? 'bad_request' : 'conflict', `${method}: ${err.message}`);
    throw err;
  }
}

export function reportMethods(ctx: RouterContext, api: () => MethodGroup<MethodName>): MethodGroup<'exportReport' | 'exportStudyReport'> {
  const source: ReportSource = {
    home: ctx.paths.home,
    handle: async (method, params) => (api()[method as MethodName] as (p: unknown) => unknown)(params),
  };
  return {
    exportReport: async (p) => {
      if (p.ids.length === 0) throw new ApiError('bad_request', 'exportReport: ids must name at least one run');
      const cam = { layers: p.layers, method: p.method, target: p.target, settings: p.settings };
      return deliver('exportReport', p.format, p.out, (out) => exportReport({ router: source, ids: p.ids, format: p.format, cam, out }));
    },
    exportStudyReport: (p) => deliver('exportStudyReport', p.format, p.out, (out) => exportStudyReport({ router: source, id: p.id, format: p.format, out })),
  };
}
