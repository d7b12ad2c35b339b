/**
 * The epoch `delta` places from `current` in `epochs` (ascending), clamped to
 * the ends; the last epoch when `current` is not one of them.
 */
export function stepEpoch(epochs: readonly number[], current: number | null, delta: number): number | null {
  if (epochs.length === 0) return null;
  const i = current === null ? -1 : epochs.indexOf(current);
  if (i < 0) return epochs[epochs.length - 1];
  return epochs[Math.min(epochs.length - 1, Math.max(0, i + delta))];
}
