import { IMAGE_SIZE } from '../../shared/config.js';
import { encodePng } from '../engine/png.js';

// Every picture of a report is a PNG data URI, so the file opens offline.

/** Share of the colour in an overlay; the rest is the gray digit, which stays readable under it. */
export const OVERLAY_ALPHA = 0.5;

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Turbo colormap (Google's polynomial fit): blue at 0, through green and yellow, to dark red at 1. */
export function turbo(t: number): [number, number, number] {
  const x = clamp01(t);
  const r = 0.13572138 + x * (4.6153926 + x * (-42.66032258 + x * (132.13108234 + x * (-152.94239396 + x * 59.28637943))));
  const g = 0.09140261 + x * (2.19418839 + x * (4.84296658 + x * (-14.18503333 + x * (4.27729857 + x * 2.82956604))));
  const b = 0.1066733 + x * (12.64194608 + x * (-60.58204836 + x * (110.36276771 + x * (-89.90310912 + x * 27.34824973))));
  return [Math.round(clamp01(r) * 255), Math.round(clamp01(g) * 255), Math.round(clamp01(b) * 255)];
}

const TURBO = Array.from({ length: 256 }, (_, i) => turbo(i / 255));

export function pngDataUri(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}

function decode64(base64: string, label: string): Uint8Array {
  const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
  if (bytes.length !== IMAGE_SIZE * IMAGE_SIZE) throw new Error(`${label}: expected ${IMAGE_SIZE}x${IMAGE_SIZE} 8-bit pixels, got ${bytes.length} bytes`);
  return bytes;
}

/** A 64x64 8-bit gray image (base64 of raw pixels) as a PNG data URI. */
export function grayDataUri(base64: string): string {
  return pngDataUri(encodePng(decode64(base64, 'image'), IMAGE_SIZE, IMAGE_SIZE, 1));
}

/** The CAM in turbo colours blended over the gray digit, as an RGBA PNG data URI. */
export function overlayDataUri(imageBase64: string, camBase64: string): string {
  const gray = decode64(imageBase64, 'image');
  const cam = decode64(camBase64, 'CAM');
  const out = new Uint8Array(gray.length * 4);
  for (let i = 0; i < gray.length; i++) {
    const c = TURBO[cam[i]];
    for (let k = 0; k < 3; k++) out[i * 4 + k] = Math.round((1 - OVERLAY_ALPHA) * gray[i] + OVERLAY_ALPHA * c[k]);
    out[i * 4 + 3] = 255;
  }
  return pngDataUri(encodePng(out, IMAGE_SIZE, IMAGE_SIZE, 4));
}

/** The colour scale of the overlays, 0 on the left to 1 on the right. */
export function legendDataUri(width = 256, height = 12): string {
  const out = new Uint8Array(width * height * 4);
  for (let x = 0; x < width; x++) {
    const c = TURBO[Math.round((x / (width - 1)) * 255)];
    for (let y = 0; y < height; y++) out.set([c[0], c[1], c[2], 255], (y * width + x) * 4);
  }
  return pngDataUri(encodePng(out, width, height, 4));
}
