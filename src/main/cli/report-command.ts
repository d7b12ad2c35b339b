import { REPORT_FORMATS } from '../../shared/api.js';
import type { Router } from '../api/router.js';
import { exportReport, exportStudyReport } from '../report/index.js';
import { camFlags, intFlag, oneOfFlag, runId, stringFlag, UsageError, type Flags } from './args.js';
import { printJson } from './print.js';

/** A study report takes the study's own CAM settings: a run's flags would be ignored, so they are refused. */
const RUN_ONLY_FLAGS = ['compare', 'layer', 'method', 'target', 'threshold'];

/**
 * `report RUN [--compare RUN2,RUN3] --format html|pdf|csv|json --out FILE`, or
 * `report --study ID --format ... --out FILE`.
 */
export async function reportCommand(router: Router, run: string | undefined, flags: Flags, json: boolean): Promise<void> {
  const format = oneOfFlag(flags, 'format', REPORT_FORMATS);
  if (format === undefined) throw new UsageError(`report needs --format ${REPORT_FORMATS.join('|')}`);
  const out = stringFlag(flags, 'out');
  if (out === undefined) throw new UsageError('report needs --out FILE');
  const study = intFlag(flags, 'study');
  let result;
  if (study !== undefined) {
    if (run !== undefined) throw new UsageError('report --study ID takes no run id');
    const runFlag = RUN_ONLY_FLAGS.find((f) => flags[f] !== undefined);
    if (runFlag) throw new UsageError(`--${runFlag} is for a run's report; a study report uses the study's own settings`);
    result = await exportStudyReport({ router, id: study, format, out });
  } else {
    const ids = [runId(run)];
    const compare = stringFlag(flags, 'compare');
    if (compare !== undefined) {
      if (!/^\d+(,\d+)*$/.test(compare)) throw new UsageError(`--compare must be a comma-separated list of run ids, got ${JSON.stringify(compare)}`);
      ids.push(...compare.split(',').map(Number).filter((id) => !ids.includes(id)));
    }
    result = await exportReport({ router, ids, format, out, cam: camFlags(flags) });
  }
  if (json) printJson(result);
  else process.stdout.write(`${result.out}: ${format.toUpperCase()} report, ${result.bytes} bytes${result.rows === null ? '' : `, ${result.rows} rows`}\n`);
}
