import { describe, expect, it } from 'vitest';
import { DEFAULT_FOCUS_SETTINGS, validateFocusSettings } from '../../../src/shared/focus-settings.js';
import {
  camEntropy,
  camSharpness,
  coverage,
  dequantizeCam,
  digitMask,
  dilate,
  isFlagged,
  measureFocus,
  measureFocusBatch,
  offDigitRatio,
  quantizeCam,
} from '../../../src/main/engine/explain/focus.js';
import { patchImage } from './tiny-d.js';

const N = 4096;

/** A mask of the first `on` pixels and a CAM of `value` on pixels [0, onMass + offMass). */
function splitCase(onPixels: number, offPixels: number, value = 0.1): { cam: Float32Array; mask: Uint8Array } {
  const mask = new Uint8Array(N);
  mask.fill(1, 0, onPixels);
  const cam = new Float32Array(N);
  cam.fill(value, 0, onPixels + offPixels);
  return { cam, mask };
}

describe('digitMask and dilation', () => {
  it('keeps pixels whose intensity (v + 1) / 2 is at or above the level', () => {
    const img = new Float32Array(N).fill(-1);
    img[5] = -0.5; // intensity exactly 0.25
    img[6] = -0.5001;
    img[7] = 1;
    const mask = digitMask(img, 0.25, 0);
    expect([mask[5], mask[6], mask[7], mask[8]]).toEqual([1, 0, 1, 0]);
    expect(mask.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('dilates with a square element, clipped at the border', () => {
    const mask = new Uint8Array(N);
    mask[10 * 64 + 10] = 1;
    mask[0] = 1;
    const d2 = dilate(mask, 2);
    let inSquare = 0;
    for (let y = 8; y <= 12; y++) for (let x = 8; x <= 12; x++) inSquare += d2[y * 64 + x];
    expect(inSquare).toBe(25);
    // the corner pixel grows into a 3x3 square clipped to 3x3 - its outside part
    expect([d2[0], d2[2], d2[2 * 64 + 2], d2[3], d2[3 * 64]]).toEqual([1, 1, 1, 0, 0]);
    expect(d2.reduce((a, b) => a + b, 0)).toBe(25 + 9);
    expect(digitMask(patchImage([{ y0: 30, y1: 32, x0: 30, x1: 32, v: 1 }], -1), 0.5, 1).reduce((a, b) => a + b, 0)).toBe(16);
  });

  it('dilation 0 returns an equal copy; a negative or fractional dilation is refused', () => {
    const mask = new Uint8Array(N);
    mask[100] = 1;
    const same = dilate(mask, 0);
    expect(same).not.toBe(mask);
    expect(Array.from(same)).toEqual(Array.from(mask));
    expect(() => dilate(mask, -1)).toThrow('dilation must be a whole number >= 0, got -1');
    expect(() => dilate(mask, 1.5)).toThrow('dilation must be a whole number >= 0, got 1.5');
  });

  it('refuses an image of the wrong size', () => {
    expect(() => digitMask(new Float32Array(28 * 28), 0.25, 0)).toThrow('image has 784 values, expected 4096 (one 64x64 image)');
  });
});

describe('offDigitRatio and the flag', () => {
  it('is 0 with all mass on the digit and 1 with all mass off it', () => {
    const on = splitCase(100, 0);
    expect(offDigitRatio(on.cam, on.mask)).toBe(0);
    const off = splitCase(0, 100);
    expect(offDigitRatio(off.cam, off.mask)).toBe(1);
    expect(isFlagged(0, 0.7)).toBe(false);
    expect(isFlagged(1, 0.7)).toBe(true);
  });

  it('flags exactly 70% off-digit mass, also when float32 rounding lands just below it', () => {
    const c = splitCase(300, 700);
    expect(offDigitRatio(c.cam, c.mask)).toBeCloseTo(0.7, 12);
    expect(isFlagged(offDigitRatio(c.cam, c.mask), 0.7)).toBe(true);
    // One pixel of 0.7 off the digit, one of 0.3 on it: float32 makes this 0.69999999.
    const mask = new Uint8Array(N);
    mask[0] = 1;
    const cam = new Float32Array(N);
    cam[0] = 0.3;
    cam[1] = 0.7;
    const ratio = offDigitRatio(cam, mask)!;
    expect(ratio).toBeLessThan(0.7);
    expect(isFlagged(ratio, 0.7)).toBe(true);
  });

  it('does not flag 69.9%', () => {
    const c = splitCase(301, 699);
    expect(offDigitRatio(c.cam, c.mask)).toBeCloseTo(0.699, 12);
    expect(isFlagged(offDigitRatio(c.cam, c.mask), 0.7)).toBe(false);
  });

  it('reports a zero CAM as no evidence, never flagged, even at threshold 0', () => {
    const zero = new Float32Array(N);
    const mask = new Uint8Array(N);
    expect(offDigitRatio(zero, mask)).toBeNull();
    expect(isFlagged(null, 0)).toBe(false);
    const f = measureFocus(zero, new Float32Array(N), { ...DEFAULT_FOCUS_SETTINGS, threshold: 0 });
    expect(f).toEqual({ ratio: null, coverage: 0, flagged: false, sharpness: null });
  });

  it('refuses a negative CAM or a size mismatch', () => {
    const c = splitCase(1, 1);
    c.cam[3] = -0.5;
    expect(() => offDigitRatio(c.cam, c.mask)).toThrow('cam[3] is -0.5: a CAM is non-negative');
    expect(() => offDigitRatio(new Float32Array(10), new Uint8Array(N))).toThrow('cam has 10 values, expected 4096');
  });
});

describe('coverage, sharpness, quantisation', () => {
  it('coverage counts pixels at or above the level', () => {
    const cam = new Float32Array(N);
    cam.fill(0.5, 0, 1024);
    cam.fill(0.49, 1024, 2048);
    expect(coverage(cam, 0.5)).toBe(0.25);
    expect(coverage(cam, 0)).toBe(1);
  });

  it('sharpness is 1 for one pixel, 0 for a uniform CAM, 1 - 1/12 for two equal pixels', () => {
    const one = new Float32Array(N);
    one[77] = 0.4;
    expect(camSharpness(one)).toBe(1);
    expect(camSharpness(new Float32Array(N).fill(0.3))).toBeCloseTo(0, 12);
    const two = new Float32Array(N);
    two[1] = two[2] = 1;
    expect(camSharpness(two)).toBeCloseTo(1 - Math.log(2) / Math.log(4096), 12);
    expect(camEntropy(two)).toBeCloseTo(1 / 12, 12);
    expect(camSharpness(new Float32Array(N))).toBeNull();
  });

  it('quantises to 8 bits within 1/510 and clamps to [0, 1]', () => {
    const cam = new Float32Array(N);
    for (let i = 0; i < N; i++) cam[i] = i / (N - 1);
    const back = dequantizeCam(quantizeCam(cam));
    for (let i = 0; i < N; i++) expect(Math.abs(back[i] - cam[i])).toBeLessThanOrEqual(1 / 510 + 1e-7);
    expect(Array.from(quantizeCam(Float32Array.from([-0.2, 0, 0.5, 1, 1.3])))).toEqual([0, 0, 128, 255, 255]);
  });
});

describe('measureFocus with the default settings', () => {
  // A 16x16 "digit" in the centre: 6.25% of the image, 8.8% after dilation 1.
  const digit = patchImage([{ y0: 24, y1: 40, x0: 24, x1: 40, v: 1 }], -1);

  it('a CAM on the digit passes; a uniform CAM ("everything matters") is flagged', () => {
    const onDigit = new Float32Array(N);
    for (let y = 26; y < 38; y++) for (let x = 26; x < 38; x++) onDigit[y * 64 + x] = 1;
    const good = measureFocus(onDigit, digit, DEFAULT_FOCUS_SETTINGS);
    expect(good).toMatchObject({ ratio: 0, coverage: 144 / N, flagged: false });
    expect(good.sharpness).toBeCloseTo(1 - Math.log(144) / Math.log(N), 12);
    const uniform = measureFocus(new Float32Array(N).fill(1), digit, DEFAULT_FOCUS_SETTINGS);
    expect(uniform.ratio).toBeCloseTo(1 - (18 * 18) / N, 12);
    expect(uniform.flagged).toBe(true);
    expect(uniform.coverage).toBe(1);
  });

  it('measures a batch sample by sample', () => {
    const cams = new Float32Array(2 * N);
    cams.fill(1, N);
    cams[32 * 64 + 32] = 1;
    const images = new Float32Array(2 * N);
    images.set(digit);
    images.set(digit, N);
    const rows = measureFocusBatch(cams, images, DEFAULT_FOCUS_SETTINGS);
    expect(rows.map((r) => r.flagged)).toEqual([false, true]);
    expect(() => measureFocusBatch(cams, images.subarray(0, N), DEFAULT_FOCUS_SETTINGS)).toThrow(/must both hold N x 4096/);
  });
});

describe('FocusSettings', () => {
  it('accepts the defaults and names a bad field', () => {
    expect(validateFocusSettings({ ...DEFAULT_FOCUS_SETTINGS })).toEqual({ ok: true, value: DEFAULT_FOCUS_SETTINGS });
    const bad = validateFocusSettings({ ...DEFAULT_FOCUS_SETTINGS, dilation: 1.5, threshold: 2 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.map((i) => i.path)).toEqual(['dilation', 'threshold']);
  });
});
