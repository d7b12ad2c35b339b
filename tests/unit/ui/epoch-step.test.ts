import { describe, expect, it } from 'vitest';
import { stepEpoch } from '../../../src/renderer/src/logic/epoch-step.js';

describe('stepping the epoch slider', () => {
  it('moves within the explained epochs and stops at both ends', () => {
    const epochs = [1, 2, 5, 10];
    expect(stepEpoch(epochs, 2, 1)).toBe(5);
    expect(stepEpoch(epochs, 5, -1)).toBe(2);
    expect(stepEpoch(epochs, 10, 1)).toBe(10);
    expect(stepEpoch(epochs, 1, -1)).toBe(1);
  });
  it('goes to the last epoch from none or an epoch not in the list, and has nothing to give without epochs', () => {
    expect(stepEpoch([1, 2, 3], null, 1)).toBe(3);
    expect(stepEpoch([1, 2, 3], 7, -1)).toBe(3);
    expect(stepEpoch([], 1, 1)).toBeNull();
  });
});
