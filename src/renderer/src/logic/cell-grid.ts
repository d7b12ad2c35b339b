/** A cell of a rows x columns grid (the Figure-1 grid: probes by epochs). */
export interface CellPos {
  row: number;
  col: number;
}

/**
 * Where a key moves in a full rows x columns grid, as the ARIA grid pattern
 * has it: arrows one cell (stopping at the edges), Home/End the row's first
 * and last cell, Ctrl+Home/End the grid's first and last. null: the key does
 * not move.
 */
export function moveCell(at: CellPos, key: string, rows: number, cols: number, ctrl = false): CellPos | null {
  if (rows <= 0 || cols <= 0) return null;
  const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
  const here = { row: clamp(at.row, rows), col: clamp(at.col, cols) };
  switch (key) {
    case 'ArrowLeft':
      return { ...here, col: clamp(here.col - 1, cols) };
    case 'ArrowRight':
      return { ...here, col: clamp(here.col + 1, cols) };
    case 'ArrowUp':
      return { ...here, row: clamp(here.row - 1, rows) };
    case 'ArrowDown':
      return { ...here, row: clamp(here.row + 1, rows) };
    case 'Home':
      return ctrl ? { row: 0, col: 0 } : { ...here, col: 0 };
    case 'End':
      return ctrl ? { row: rows - 1, col: cols - 1 } : { ...here, col: cols - 1 };
    default:
      return null;
  }
}
