import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { NATIVE_BACKEND } from '../../../src/main/engine/backend/native.js';
import { nativeBuilt, nativeOutputs, registerNative, skipReason } from './helpers.js';

// The native backend recycles the arrays of disposed tensors. Arrays that
// user code can hold (dataSync results) or that another tensor aliases (a
// contiguous slice is a subarray) must never be handed out again.
describe.skipIf(!nativeBuilt)(`native buffer pool${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    await registerNative();
    await tf.setBackend(NATIVE_BACKEND);
  });

  it('recycles the array of a disposed tensor', () => {
    const stats = () => (tf.backend() as unknown as { poolStats(): { recycled: number } }).poolStats().recycled;
    const a = tf.fill([1000], 2);
    tf.add(a, a).dispose();
    const before = stats();
    const b = tf.add(a, a);
    expect(stats()).toBe(before + 1);
    expect(Array.from(b.dataSync().slice(0, 3))).toEqual([4, 4, 4]);
    tf.dispose([a, b]);
  });

  it('never reuses an array handed out by dataSync', () => {
    const a = tf.fill([4096], 1);
    const sum = tf.add(a, a);
    const held = sum.dataSync();
    sum.dispose();
    const other = tf.add(tf.add(a, a), a);
    expect(held[0]).toBe(2);
    expect(held[4095]).toBe(2);
    tf.dispose([a, other]);
  });

  it('keeps a slice valid after its source is disposed', () => {
    const a = tf.fill([8, 512], 1);
    const src = tf.mul(a, 3);
    const slice = tf.slice(src, [2, 0], [2, 512]);
    src.dispose();
    const outputs = nativeOutputs();
    const filler = tf.mul(a, 5);
    expect(nativeOutputs()).toBe(outputs + 1);
    expect(Array.from(slice.dataSync()).every((v) => v === 3)).toBe(true);
    tf.dispose([a, slice, filler]);
  });
});
