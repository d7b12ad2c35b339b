import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

// IDX is the format MNIST ships in: a 4-byte magic (0, 0, data type, number of
// dimensions), one big-endian uint32 per dimension, then the data row-major.
// Only unsigned bytes are read: that is what image and label files hold.

const UNSIGNED_BYTE = 0x08;
const MIN_SIDE = 8;
const MAX_SIDE = 1024;

/** A file that is not a usable IDX file; the message names the file and the problem. */
export class IdxError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'IdxError';
  }
}

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count x rows x cols bytes, row-major; a view into the file's bytes. */
  pixels: Uint8Array;
}

function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** The file's IDX bytes: read, checked non-empty, and gunzipped when it starts with the gzip magic. */
export function readIdxBytes(path: string): Uint8Array {
  let raw: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new IdxError(path, 'is a folder, not an IDX file');
    raw = readFileSync(path);
  } catch (err) {
    if (err instanceof IdxError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new IdxError(path, code === 'ENOENT' ? 'file not found' : `cannot read: ${(err as Error).message}`);
  }
  return decompressIdx(raw, path);
}

/** Gunzips `buf` when it starts with the gzip magic; otherwise returns it as is. */
export function decompressIdx(buf: Uint8Array, name: string): Uint8Array {
  if (buf.length === 0) throw new IdxError(name, 'empty file');
  if (!isGzip(buf)) return buf;
  let out: Buffer;
  try {
    out = gunzipSync(buf);
  } catch (err) {
    throw new IdxError(name, `corrupt gzip: ${(err as Error).message}`);
  }
  if (out.length === 0) throw new IdxError(name, 'empty file (the gzip holds no data)');
  return out;
}

function hex32(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

/** Reads the magic and dimensions, checking them against what `what` needs. */
function parseHeader(buf: Uint8Array, name: string, dims: number, what: string): number[] {
  if (buf.length === 0) throw new IdxError(name, 'empty file');
  const expectedMagic = (UNSIGNED_BYTE << 8) | dims;
  if (buf.length < 4)
    throw new IdxError(name, `truncated: the file holds ${buf.length} bytes, too few for the 4-byte IDX magic number`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0);
  const [z0, z1, type, nDims] = [buf[0], buf[1], buf[2], buf[3]];
  if (z0 !== 0 || z1 !== 0 || type !== UNSIGNED_BYTE || nDims === 0)
    throw new IdxError(
      name,
      `bad magic number ${hex32(magic)}: expected ${hex32(expectedMagic)} (IDX ${what}, unsigned bytes)` +
        (z0 === 0 && z1 === 0 && nDims > 0 ? `; this file's data type is ${hex32(type).slice(-2)}, not 08` : ''),
    );
  const headerBytes = 4 + 4 * nDims;
  if (buf.length < headerBytes)
    throw new IdxError(
      name,
      `truncated: the file holds ${buf.length} bytes, too few for the ${headerBytes}-byte header of ${nDims} dimensions`,
    );
  const shape: number[] = [];
  for (let i = 0; i < nDims; i++) shape.push(view.getUint32(4 + 4 * i));
  if (nDims !== dims) {
    const problem =
      what === 'images' && nDims > dims
        ? `wrong image size: the header declares ${nDims} dimensions [${shape.join(', ')}]; only single-channel images (count, rows, cols) are supported`
        : `bad magic number ${hex32(magic)}: expected ${hex32(expectedMagic)} (IDX ${what} have ${dims} dimension${dims > 1 ? 's' : ''}, this file has ${nDims})`;
    const hint = nDims === 1 ? '; is this a labels file?' : nDims === 3 && what !== 'images' ? '; is this an images file?' : '';
    throw new IdxError(name, problem + hint);
  }
  return shape;
}

/** Checks that the data after the header is exactly `count` items of `itemBytes`. */
function checkSize(buf: Uint8Array, name: string, headerBytes: number, count: number, itemBytes: number, items: string): void {
  const declared = count * itemBytes;
  const held = buf.length - headerBytes;
  if (declared === held) return;
  const problem = held < declared ? 'truncated' : 'trailing data';
  const extra = held > declared ? `, ${held - declared} bytes too many` : '';
  throw new IdxError(
    name,
    `${problem}: header declares ${count} ${items} (${declared} bytes) but the file holds ${held} bytes after its ${headerBytes}-byte header${extra}`,
  );
}

/** Parses IDX3 unsigned-byte images (magic 0x00000803) from decompressed bytes. */
export function parseIdxImages(buf: Uint8Array, name: string): IdxImages {
  const [count, rows, cols] = parseHeader(buf, name, 3, 'images');
  if (count === 0) throw new IdxError(name, 'the header declares 0 images');
  if (rows < MIN_SIDE || cols < MIN_SIDE || rows > MAX_SIDE || cols > MAX_SIDE)
    throw new IdxError(
      name,
      `wrong image size: the header declares ${rows}x${cols} images; sizes from ${MIN_SIDE}x${MIN_SIDE} to ${MAX_SIDE}x${MAX_SIDE} are supported`,
    );
  checkSize(buf, name, 16, count, rows * cols, `images of ${rows}x${cols}`);
  return { count, rows, cols, pixels: buf.subarray(16) };
}

/** Parses IDX1 unsigned-byte labels (magic 0x00000801) from decompressed bytes. */
export function parseIdxLabels(buf: Uint8Array, name: string): Uint8Array {
  const [count] = parseHeader(buf, name, 1, 'labels');
  if (count === 0) throw new IdxError(name, 'the header declares 0 labels');
  checkSize(buf, name, 8, count, 1, 'labels');
  return buf.subarray(8);
}

export function readIdxImages(path: string): IdxImages {
  return parseIdxImages(readIdxBytes(path), path);
}

export function readIdxLabels(path: string): Uint8Array {
  return parseIdxLabels(readIdxBytes(path), path);
}
