export interface GridWindow {
  /** Items [start, end) are rendered. */
  start: number;
  end: number;
  /** Space above and below the rendered rows, in pixels. */
  padTop: number;
  padBottom: number;
  columns: number;
}

/**
 * Which items of a long uniform grid to render for a scroll position: only the
 * visible rows plus `overscan` rows either side, so thousands of flagged
 * samples cost what a screenful does.
 */
export function gridWindow(opts: {
  count: number;
  scrollTop: number;
  viewportHeight: number;
  viewportWidth: number;
  cellWidth: number;
  rowHeight: number;
  overscan?: number;
}): GridWindow {
  const columns = Math.max(1, Math.floor(opts.viewportWidth / opts.cellWidth));
  const rows = Math.ceil(opts.count / columns);
  const overscan = opts.overscan ?? 2;
  const firstRow = Math.max(0, Math.floor(opts.scrollTop / opts.rowHeight) - overscan);
  const lastRow = Math.min(rows, Math.ceil((opts.scrollTop + opts.viewportHeight) / opts.rowHeight) + overscan);
  return {
    start: Math.min(opts.count, firstRow * columns),
    end: Math.min(opts.count, lastRow * columns),
    padTop: firstRow * opts.rowHeight,
    padBottom: Math.max(0, rows - lastRow) * opts.rowHeight,
    columns,
  };
}

/** Arrow-key movement in a grid of `columns`, clamped to the items. */
export function moveCursor(index: number, key: string, columns: number, count: number): number {
  if (count === 0) return -1;
  const step: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -columns, ArrowDown: columns, Home: -Infinity, End: Infinity };
  const d = step[key];
  if (d === undefined) return index;
  if (d === -Infinity) return 0;
  if (d === Infinity) return count - 1;
  const next = index + d;
  return next < 0 || next >= count ? index : next;
}
