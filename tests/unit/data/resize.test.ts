import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resizeBatchTo64, resizeTo64 } from '../../../src/main/engine/data/resize.js';
import { patternPixels } from './idx-fixtures.js';

const N = 64 * 64;
const scaled = (v: number) => Math.fround(v / 127.5 - 1);

describe('resizeTo64 by hand', () => {
  it('a constant image stays constant, and 0 / 255 map to -1 / 1', () => {
    for (const [v, want] of [
      [0, -1],
      [255, 1],
      [51, 51 / 127.5 - 1],
    ]) {
      const out = new Float32Array(N);
      resizeTo64(new Uint8Array(28 * 28).fill(v), 0, 28, 28, out, 0);
      for (const x of out) expect(x).toBeCloseTo(want, 6);
    }
  });

  it('64x64 in is the identity, only rescaled', () => {
    const src = patternPixels(N, 3);
    const out = new Float32Array(N);
    resizeTo64(src, 0, 64, 64, out, 0);
    for (let i = 0; i < N; i++) expect(out[i]).toBe(scaled(src[i]));
  });

  it('doubling a 32-wide ramp: half-pixel centres put outputs at x/2 - 0.25, clamped at the edges', () => {
    // p[x] = 8x on every row, so each output row is the same 1-D interpolation.
    const src = new Uint8Array(32 * 32);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) src[y * 32 + x] = 8 * x;
    const out = new Float32Array(N);
    resizeTo64(src, 0, 32, 32, out, 0);
    const row = (y: number) => Array.from(out.subarray(y * 64, y * 64 + 64));
    const expected = [0, 2, 6, 10, 14].map(scaled); // 0 (clamped), 0.75*0+0.25*8, 0.25*0+0.75*8, ...
    expect(row(0).slice(0, 5)).toEqual(expected);
    expect(row(40).slice(0, 5)).toEqual(expected);
    expect(row(7)[62]).toBe(scaled(0.25 * 240 + 0.75 * 248)); // x = 62: source 30.75
    expect(row(7)[63]).toBe(scaled(248)); // x = 63: source 31.25, clamped to 31
  });

  it('28 -> 64: output 10 samples the input at 10.5 * 28/64 - 0.5 = 4.09375', () => {
    // A vertical ramp p[y][x] = 9y, so each output column is a 1-D interpolation over rows.
    const src = new Uint8Array(28 * 28);
    for (let y = 0; y < 28; y++) src.fill(9 * y, y * 28, y * 28 + 28);
    const out = new Float32Array(N);
    resizeTo64(src, 0, 28, 28, out, 0);
    expect(out[10 * 64 + 5]).toBeCloseTo(scaled(0.90625 * 36 + 0.09375 * 45), 6);
    expect(out[0 * 64 + 5]).toBe(scaled(0));
    expect(out[63 * 64 + 5]).toBe(scaled(243));
  });

  it('writes at the given offsets and nowhere else', () => {
    const src = new Uint8Array(2 * 8 * 8);
    src.fill(255, 64);
    const out = new Float32Array(3 * N).fill(7);
    resizeTo64(src, 64, 8, 8, out, N);
    expect(out[N - 1]).toBe(7);
    expect(out[N]).toBe(1);
    expect(out[2 * N - 1]).toBe(1);
    expect(out[2 * N]).toBe(7);
  });

  it('rejects a source or output too small for the image', () => {
    expect(() => resizeTo64(new Uint8Array(100), 0, 28, 28, new Float32Array(N), 0)).toThrow(/runs past the 100-byte source/);
    expect(() => resizeTo64(new Uint8Array(784), 0, 28, 28, new Float32Array(N), 1)).toThrow(/output offset 1/);
  });
});

describe('resizeTo64 matches tf.image.resizeBilinear(halfPixelCenters) on the cpu backend', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const [rows, cols] of [
    [28, 28],
    [13, 40],
    [64, 64],
    [100, 90],
    [8, 8],
  ]) {
    it(`${rows}x${cols}`, () => {
      const count = 3;
      const pixels = new Uint8Array(count * rows * cols);
      let s = rows * 31 + cols;
      for (let i = 0; i < pixels.length; i++) {
        s = (s * 1103515245 + 12345) >>> 0;
        pixels[i] = s >>> 24;
      }
      const ours = new Float32Array(count * N);
      resizeBatchTo64(pixels, rows, cols, [0, 1, 2], ours);
      const theirs = tf.tidy(() =>
        tf.image
          .resizeBilinear(tf.tensor4d(pixels, [count, rows, cols, 1], 'float32'), [64, 64], false, true)
          .div(127.5)
          .sub(1),
      );
      const ref = theirs.dataSync();
      theirs.dispose();
      let maxDiff = 0;
      for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[i] - ours[i]));
      expect(maxDiff).toBeLessThan(1e-5);
    });
  }
});

describe('resizeBatchTo64', () => {
  it('resizes the chosen images in the given order', () => {
    const pixels = new Uint8Array(3 * 8 * 8);
    pixels.fill(0, 0, 64);
    pixels.fill(255, 64, 128);
    pixels.fill(51, 128, 192);
    const out = new Float32Array(2 * N);
    resizeBatchTo64(pixels, 8, 8, [2, 1], out);
    expect(out[0]).toBeCloseTo(51 / 127.5 - 1, 6);
    expect(out[N]).toBe(1);
  });

  it('rejects an index outside the images and an output too small', () => {
    const pixels = new Uint8Array(2 * 64);
    expect(() => resizeBatchTo64(pixels, 8, 8, [2], new Float32Array(N))).toThrow('resize: image index 2 is outside 0..1');
    expect(() => resizeBatchTo64(pixels, 8, 8, [0, 1], new Float32Array(N))).toThrow(/2 images need 8192 floats/);
  });
});
