import path from 'node:path';
import type { MethodName } from '../../shared/api.js';
import { exportReport, ReportError, reportContent, type ReportSource } from '../report/index.js';
import type { MethodGroup, RouterContext } from './context.js';
import { ApiError } from './errors.js';

/** The largest report returned inside a result; larger ones need `out`. */
export const INLINE_REPORT_BYTES = 64 * 2 ** 20;

/**
 * exportReport over the router's own methods: `api` returns the router's
 * method table (the report reads runs, focus, flags... through it, as the CLI
 * does through the router).
 */
export function reportMethods(ctx: RouterContext, api: () => MethodGroup<MethodName>): MethodGroup<'exportReport'> {
  const source: ReportSource = {
    home: ctx.paths.home,
    handle: async (method, params) => (api()[method as MethodName] as (p: unknown) => unknown)(params),
  };
  return {
    exportReport: async (p) => {
      if (p.ids.length === 0) throw new ApiError('bad_request', 'exportReport: ids must name at least one run');
      const options = { router: source, ids: p.ids, format: p.format, cam: { layers: p.layers, method: p.method, target: p.target, settings: p.settings } };
      try {
        if (p.out === undefined) return { format: p.format, out: null, ...(await reportContent(options, INLINE_REPORT_BYTES)) };
        // The path is the caller's choice: it must be explicit, and name a file of the format asked for.
        if (!path.isAbsolute(p.out)) throw new ApiError('bad_request', `exportReport: out must be an absolute path, got ${JSON.stringify(p.out)}`);
        if (path.extname(p.out).toLowerCase() !== `.${p.format}`) throw new ApiError('bad_request', `exportReport: out must end in .${p.format}`);
        return { ...(await exportReport({ ...options, out: p.out })), content: null, encoding: null };
      } catch (err) {
        if (err instanceof ReportError) throw new ApiError(err.input ? 'bad_request' : 'conflict', `exportReport: ${err.message}`);
        throw err;
      }
    },
  };
}
