// The CAM colour scale: a perceptually ordered dark-blue -> yellow ramp
// (viridis control points), so "more evidence" reads the same for every
// viewer and in both themes, and a legend can show the same ramp.

const STOPS: [number, number, number][] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** 256 RGB entries, index = 8-bit CAM value. */
export const COLORMAP: readonly [number, number, number][] = Array.from({ length: 256 }, (_, i) => {
  const t = (i / 255) * (STOPS.length - 1);
  const k = Math.min(STOPS.length - 2, Math.floor(t));
  const f = t - k;
  const [a, b] = [STOPS[k], STOPS[k + 1]];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as [number, number, number];
});

/** Opaque RGBA pixels for a canvas; the overlay's opacity is the viewer's slider. */
export function camToRgba(cam: Uint8Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray(cam.length * 4);
  for (let i = 0; i < cam.length; i++) {
    const [r, g, b] = COLORMAP[cam[i]];
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
    out[i * 4 + 3] = 255;
  }
  return out;
}

export function cssColor(value01: number): string {
  const [r, g, b] = COLORMAP[Math.max(0, Math.min(255, Math.round(value01 * 255)))];
  return `rgb(${r}, ${g}, ${b})`;
}

export function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
