import { REPORT_FORMATS } from '../../shared/api.js';
import type { Router } from '../api/router.js';
import { exportReport } from '../report/index.js';
import { camFlags, oneOfFlag, runId, stringFlag, UsageError, type Flags } from './args.js';
import { printJson } from './print.js';

/** `report RUN [--compare RUN2,RUN3] --format html|pdf|csv|json --out FILE` */
export async function reportCommand(router: Router, run: string | undefined, flags: Flags, json: boolean): Promise<void> {
  const ids = [runId(run)];
  const compare = stringFlag(flags, 'compare');
  if (compare !== undefined) {
    if (!/^\d+(,\d+)*$/.test(compare)) throw new UsageError(`--compare must be a comma-separated list of run ids, got ${JSON.stringify(compare)}`);
    ids.push(...compare.split(',').map(Number).filter((id) => !ids.includes(id)));
  }
  const format = oneOfFlag(flags, 'format', REPORT_FORMATS);
  if (format === undefined) throw new UsageError(`report needs --format ${REPORT_FORMATS.join('|')}`);
  const out = stringFlag(flags, 'out');
  if (out === undefined) throw new UsageError('report needs --out FILE');
  const result = await exportReport({
    router,
    ids,
    format,
    out,
    cam: camFlags(flags),
  });
  if (json) printJson(result);
  else process.stdout.write(`${result.out}: ${format.toUpperCase()} report, ${result.bytes} bytes${result.rows === null ? '' : `, ${result.rows} rows`}\n`);
}
