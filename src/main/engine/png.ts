import { deflateSync } from 'node:zlib';

// A minimal grayscale PNG writer: the engine needs only 8-bit gray (grids, CAMs)
// and RGBA (overlays); a dependency is not worth it for ~40 lines.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** channels: 1 = gray, 4 = RGBA; pixels row-major, `width * height * channels` bytes. */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 4 = 1): Buffer {
  if (pixels.length !== width * height * channels) throw new Error(`encodePng: expected ${width * height * channels} bytes, got ${pixels.length}`);
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    Buffer.from(pixels.buffer, pixels.byteOffset + y * stride, stride).copy(raw, y * (stride + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = channels === 1 ? 0 : 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * Tiles N square gray images in [-1, 1] into a grid with a 2-pixel gap, as
 * torchvision's make_grid does for the DCGAN example's sample sheets.
 */
export function gridPng(images: Float32Array, count: number, side: number, columns = 8): Buffer {
  const gap = 2;
  const rows = Math.ceil(count / columns);
  const w = columns * side + (columns + 1) * gap;
  const h = rows * side + (rows + 1) * gap;
  const out = new Uint8Array(w * h);
  for (let n = 0; n < count; n++) {
    const ox = gap + (n % columns) * (side + gap);
    const oy = gap + Math.floor(n / columns) * (side + gap);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const v = images[n * side * side + y * side + x];
        out[(oy + y) * w + ox + x] = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
      }
    }
  }
  return encodePng(out, w, h, 1);
}
