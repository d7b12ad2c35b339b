/** Runs a gan-focus command in the test's home and returns its stdout (failing the test otherwise). */
export type Cli = (args: string[]) => string;

/**
 * Run 1 of an empty home as the parent of a tiny study: 256 images, width 8,
 * one epoch of 16 steps (fewer leave D's CAMs empty: no evidence, nothing
 * flagged), its training set explained at the threshold that flags about a
 * tenth: few enough that the random arm finds the same digits among the rest.
 * Returns that threshold, to pass to `study` and `flags`.
 */
export function tinyStudyParent(cli: Cli): string {
  cli(['train', '--limit', '256', '--width', '8', '--batch', '16', '--epochs', '1', '--seed', '2', '--json']);
  cli(['explain', '1', '--samples', 'train', '--epochs', '1', '--threshold', '0']);
  const ratios = (JSON.parse(cli(['flags', '1', '--epoch', '1', '--threshold', '0', '--json'])).items as { ratio: number | null }[])
    .map((f) => f.ratio)
    .filter((r): r is number => r !== null)
    .sort((a, b) => a - b);
  const threshold = ratios[Math.floor(ratios.length * 0.9)].toFixed(4);
  cli(['explain', '1', '--samples', 'train', '--epochs', '1', '--threshold', threshold]);
  return threshold;
}
