import { afterAll, describe, expect, it } from 'vitest';
import { IdxError, readIdxImages, readIdxLabels } from '../../../src/main/engine/data/idx.js';
import { gz, idx1, idx3, idxHeader, patternPixels, tempDir } from './idx-fixtures.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** The IdxError thrown by `fn`, failing the test when it does not throw one. */
function idxError(fn: () => unknown): IdxError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IdxError);
    return err as IdxError;
  }
  throw new Error('expected an IdxError');
}

describe('readIdxImages: valid files', () => {
  it('reads a plain file and its gzip to the same images', () => {
    const pixels = patternPixels(3 * 10 * 12, 5);
    const plain = tmp.write('ok.idx3', idx3(3, 10, 12, pixels));
    const zipped = tmp.write('ok.idx3.gz', gz(idx3(3, 10, 12, pixels)));
    for (const file of [plain, zipped]) {
      const img = readIdxImages(file);
      expect({ count: img.count, rows: img.rows, cols: img.cols }).toEqual({ count: 3, rows: 10, cols: 12 });
      expect(Array.from(img.pixels)).toEqual(Array.from(pixels));
    }
  });

  it('detects gzip by its magic bytes, not the file name', () => {
    const file = tmp.write('no-extension', gz(idx3(1, 8, 8)));
    expect(readIdxImages(file).count).toBe(1);
  });

  it('reads labels, plain and gzip', () => {
    const plain = tmp.write('l.idx1', idx1([3, 1, 4, 1, 5]));
    const zipped = tmp.write('l.idx1.gz', gz(idx1([3, 1, 4, 1, 5])));
    expect(Array.from(readIdxLabels(plain))).toEqual([3, 1, 4, 1, 5]);
    expect(Array.from(readIdxLabels(zipped))).toEqual([3, 1, 4, 1, 5]);
  });
});

describe('readIdxImages: bad files name the file and the problem', () => {
  it('missing file', () => {
    const file = tmp.dir + '/nope.idx3';
    const e = idxError(() => readIdxImages(file));
    expect(e.file).toBe(file);
    expect(e.message).toBe(`${file}: file not found`);
  });

  it('empty file', () => {
    const file = tmp.write('empty.idx3', new Uint8Array(0));
    expect(idxError(() => readIdxImages(file)).message).toBe(`${file}: empty file`);
  });

  it('a folder', () => {
    expect(idxError(() => readIdxImages(tmp.dir)).reason).toMatch(/is a folder/);
  });

  it('truncated data: the header declares more images than the file holds', () => {
    const file = tmp.write('train.idx3', Buffer.concat([idxHeader(0x803, [60000, 28, 28]), new Uint8Array(1000)]));
    const e = idxError(() => readIdxImages(file));
    expect(e.message).toBe(
      `${file}: truncated: header declares 60000 images of 28x28 (47040000 bytes) but the file holds 1000 bytes after its 16-byte header`,
    );
    expect(e.message).not.toContain('\n');
  });

  it('truncated inside the header', () => {
    const file = tmp.write('short.idx3', idx3(2, 8, 8).subarray(0, 10));
    expect(idxError(() => readIdxImages(file)).reason).toBe(
      'truncated: the file holds 10 bytes, too few for the 16-byte header of 3 dimensions',
    );
    const tiny = tmp.write('tiny.idx3', Uint8Array.from([0, 0]));
    expect(idxError(() => readIdxImages(tiny)).reason).toMatch(/^truncated: the file holds 2 bytes/);
  });

  it('count/size mismatch: declared count one larger than the data', () => {
    const file = tmp.write('more.idx3', Buffer.concat([idxHeader(0x803, [5, 8, 8]), patternPixels(4 * 64)]));
    expect(idxError(() => readIdxImages(file)).reason).toBe(
      'truncated: header declares 5 images of 8x8 (320 bytes) but the file holds 256 bytes after its 16-byte header',
    );
  });

  it('count/size mismatch: declared count smaller than the data (trailing bytes)', () => {
    const file = tmp.write('fewer.idx3', Buffer.concat([idxHeader(0x803, [3, 8, 8]), patternPixels(4 * 64 + 5)]));
    expect(idxError(() => readIdxImages(file)).reason).toBe(
      'trailing data: header declares 3 images of 8x8 (192 bytes) but the file holds 261 bytes after its 16-byte header, 69 bytes too many',
    );
  });

  it('labels: truncated and trailing', () => {
    const short = tmp.write('short.idx1', Buffer.concat([idxHeader(0x801, [10]), new Uint8Array(9)]));
    expect(idxError(() => readIdxLabels(short)).reason).toMatch(/^truncated: header declares 10 labels \(10 bytes\) but the file holds 9 bytes/);
    const long = tmp.write('long.idx1', Buffer.concat([idxHeader(0x801, [10]), new Uint8Array(11)]));
    expect(idxError(() => readIdxLabels(long)).reason).toMatch(/^trailing data: header declares 10 labels/);
  });

  it('bad magic: not an IDX file at all', () => {
    const png = tmp.write('picture.png', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(idxError(() => readIdxImages(png)).reason).toBe(
      'bad magic number 0x89504e47: expected 0x00000803 (IDX images, unsigned bytes)',
    );
  });

  it('bad magic: a data type other than unsigned byte', () => {
    const floats = tmp.write('floats.idx3', Buffer.concat([idxHeader(0xd03, [1, 8, 8]), new Uint8Array(256)]));
    expect(idxError(() => readIdxImages(floats)).reason).toBe(
      "bad magic number 0x00000d03: expected 0x00000803 (IDX images, unsigned bytes); this file's data type is 0d, not 08",
    );
  });

  it('bad magic: a labels file given as images, and the reverse', () => {
    const labels = tmp.write('labels-as-images', idx1([1, 2, 3]));
    expect(idxError(() => readIdxImages(labels)).reason).toBe(
      'bad magic number 0x00000801: expected 0x00000803 (IDX images have 3 dimensions, this file has 1); is this a labels file?',
    );
    const images = tmp.write('images-as-labels', idx3(1, 8, 8));
    expect(idxError(() => readIdxLabels(images)).reason).toBe(
      'bad magic number 0x00000803: expected 0x00000801 (IDX labels have 1 dimension, this file has 3); is this an images file?',
    );
  });

  it('wrong image size: too small, too large, and more than 3 dimensions', () => {
    const small = tmp.write('small.idx3', idx3(2, 2, 2));
    expect(idxError(() => readIdxImages(small)).reason).toBe(
      'wrong image size: the header declares 2x2 images; sizes from 8x8 to 1024x1024 are supported',
    );
    const wide = tmp.write('wide.idx3', Buffer.concat([idxHeader(0x803, [1, 28, 2000]), new Uint8Array(56000)]));
    expect(idxError(() => readIdxImages(wide)).reason).toMatch(/^wrong image size: the header declares 28x2000 images/);
    const zero = tmp.write('zero.idx3', idxHeader(0x803, [1, 0, 28]));
    expect(idxError(() => readIdxImages(zero)).reason).toMatch(/^wrong image size: the header declares 0x28 images/);
    const rgb = tmp.write('rgb.idx4', Buffer.concat([idxHeader(0x804, [2, 8, 8, 3]), new Uint8Array(384)]));
    expect(idxError(() => readIdxImages(rgb)).reason).toBe(
      'wrong image size: the header declares 4 dimensions [2, 8, 8, 3]; only single-channel images (count, rows, cols) are supported',
    );
  });

  it('zero images or labels', () => {
    expect(idxError(() => readIdxImages(tmp.write('none.idx3', idx3(0, 8, 8)))).reason).toBe('the header declares 0 images');
    expect(idxError(() => readIdxLabels(tmp.write('none.idx1', idx1([])))).reason).toBe('the header declares 0 labels');
  });

  it('corrupt gzip: damaged body and cut short', () => {
    const good = gz(idx3(4, 16, 16));
    const damaged = Buffer.from(good);
    for (let i = 12; i < damaged.length - 8; i++) damaged[i] ^= 0x5a;
    const e1 = idxError(() => readIdxImages(tmp.write('damaged.idx3.gz', damaged)));
    expect(e1.reason).toMatch(/^corrupt gzip: /);
    const cut = good.subarray(0, Math.floor(good.length / 2));
    const e2 = idxError(() => readIdxImages(tmp.write('cut.idx3.gz', cut)));
    expect(e2.reason).toMatch(/^corrupt gzip: /);
    expect(e2.message.startsWith(`${tmp.dir}/cut.idx3.gz: corrupt gzip`)).toBe(true);
  });

  it('a valid gzip of a bad IDX file still reports the IDX problem', () => {
    const file = tmp.write('bad-inside.idx3.gz', gz(Buffer.concat([idxHeader(0x803, [9, 8, 8]), new Uint8Array(64)])));
    expect(idxError(() => readIdxImages(file)).reason).toMatch(/^truncated: header declares 9 images of 8x8 \(576 bytes\)/);
  });
});
