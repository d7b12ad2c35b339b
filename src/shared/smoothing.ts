// TensorBoard's scalar smoothing, so a curve here reads like the same curve
// there (tensorboard/webapp/widgets/line_chart_v2/data_transformer.ts,
// classicSmoothing; research notes: explain-and-study.md section 4.1).

/** TensorBoard's default (METRICS_SETTINGS_DEFAULT.scalarSmoothing). */
export const SMOOTHING_DEFAULT = 0.6;
/** TensorBoard's slider maximum: at 1 every line is flat at 0. */
export const SMOOTHING_MAX = 0.999;

/**
 * Debiased exponential moving average of `values` in order, with weight `w`
 * (clamped to [0, 1]): last = last*w + (1-w)*y; out = last / (1 - w^n), where
 * n counts the finite values so far. Starting the average at 0 and dividing
 * by (1 - w^n) removes the pull towards 0 at the start.
 *
 * Non-finite values and nulls (a NaN loss, a missing point) pass through as
 * they are and do not advance n. A constant series is returned unsmoothed,
 * as TensorBoard does (#786): rounding would otherwise draw spikes on it.
 * Smoothing the stored values, not a downsampled copy, keeps the result
 * independent of the chart's width (TensorBoard #1518).
 */
export function smoothEma<T extends number | null | undefined>(values: ArrayLike<T>, weight: number): T[] {
  const n = values.length;
  const out = new Array<T>(n);
  const w = Math.min(1, Math.max(0, Number.isNaN(weight) ? 0 : weight));
  let constant = true;
  for (let i = 1; i < n && constant; i++) constant = values[i] === values[0];
  if (constant) {
    for (let i = 0; i < n; i++) out[i] = values[i];
    return out;
  }
  let last = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const y = values[i];
    if (typeof y !== 'number' || !Number.isFinite(y)) {
      out[i] = y;
      continue;
    }
    last = last * w + (1 - w) * y;
    count++;
    const debias = w === 1 ? 1 : 1 - w ** count;
    out[i] = (last / debias) as T;
  }
  return out;
}
