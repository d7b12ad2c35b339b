import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

// Builds small IDX files byte by byte, so the tests exercise the reader on real files.

export function idxHeader(magic: number, dims: number[]): Buffer {
  const b = Buffer.alloc(4 + 4 * dims.length);
  b.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
  return b;
}

/** Pixel i of the whole file is (i * 7 + seed) mod 256: varied but reproducible. */
export function patternPixels(n: number, seed = 0): Uint8Array {
  const p = new Uint8Array(n);
  for (let i = 0; i < n; i++) p[i] = (i * 7 + seed) % 256;
  return p;
}

export function idx3(count: number, rows: number, cols: number, pixels = patternPixels(count * rows * cols)): Buffer {
  return Buffer.concat([idxHeader(0x803, [count, rows, cols]), pixels]);
}

export function idx1(labels: number[]): Buffer {
  return Buffer.concat([idxHeader(0x801, [labels.length]), Uint8Array.from(labels)]);
}

export function gz(buf: Uint8Array): Buffer {
  return gzipSync(buf);
}

/** A temp folder for one test file; `write` returns the path of the file it made. */
export function tempDir(): { dir: string; write: (name: string, data: Uint8Array) => string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gan-focus-data-'));
  return {
    dir,
    write(name, data) {
      const p = path.join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
