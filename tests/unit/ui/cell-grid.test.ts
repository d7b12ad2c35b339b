import { describe, expect, it } from 'vitest';
import { moveCell } from '../../../src/renderer/src/logic/cell-grid.js';

describe('moveCell', () => {
  it('moves one cell with the arrows and stops at the edges', () => {
    expect(moveCell({ row: 1, col: 1 }, 'ArrowRight', 3, 4)).toEqual({ row: 1, col: 2 });
    expect(moveCell({ row: 1, col: 1 }, 'ArrowLeft', 3, 4)).toEqual({ row: 1, col: 0 });
    expect(moveCell({ row: 1, col: 1 }, 'ArrowUp', 3, 4)).toEqual({ row: 0, col: 1 });
    expect(moveCell({ row: 1, col: 1 }, 'ArrowDown', 3, 4)).toEqual({ row: 2, col: 1 });
    expect(moveCell({ row: 0, col: 0 }, 'ArrowLeft', 3, 4)).toEqual({ row: 0, col: 0 });
    expect(moveCell({ row: 2, col: 3 }, 'ArrowDown', 3, 4)).toEqual({ row: 2, col: 3 });
  });

  it('Home and End go to the row ends, with Ctrl to the grid corners', () => {
    expect(moveCell({ row: 1, col: 2 }, 'Home', 3, 4)).toEqual({ row: 1, col: 0 });
    expect(moveCell({ row: 1, col: 2 }, 'End', 3, 4)).toEqual({ row: 1, col: 3 });
    expect(moveCell({ row: 1, col: 2 }, 'Home', 3, 4, true)).toEqual({ row: 0, col: 0 });
    expect(moveCell({ row: 1, col: 2 }, 'End', 3, 4, true)).toEqual({ row: 2, col: 3 });
  });

  it('ignores other keys and empty grids, and pulls a stale position back inside a smaller grid', () => {
    expect(moveCell({ row: 0, col: 0 }, 'Enter', 3, 4)).toBeNull();
    expect(moveCell({ row: 0, col: 0 }, 'ArrowDown', 0, 4)).toBeNull();
    expect(moveCell({ row: 9, col: 9 }, 'ArrowLeft', 3, 4)).toEqual({ row: 2, col: 2 });
  });
});
