import type * as tf from '@tensorflow/tfjs';
import type { FinalQuality } from '../../../shared/study.js';
import type { Classifier } from './classifier.js';
import { FEATURE_DIM } from './classifier-model.js';
import { fidInfinity } from './fid-infinity.js';
import { kernelInceptionDistance } from './kid.js';
import { generatedOutputs, summarise } from './quality.js';
import { sharedClassifier, testFeatures, testStats } from './reference-stats.js';

/** FID_N sample counts for the extrapolation: 1,000 up to `count` in 9 steps. */
export function fidSizes(count: number): number[] {
  const lo = Math.min(1000, count);
  return Array.from({ length: 9 }, (_, i) => Math.round(lo + ((count - lo) * i) / 8)).filter((n, i, a) => a.indexOf(n) === i);
}

/**
 * The fair end-of-training estimate of G (docs/study.md): KID (cubic kernel,
 * unbiased, 10 subsets of 1,000) and FID-infinity on the classifier's features
 * of `count` samples against the MNIST test set, plus class coverage.
 */
export async function finalQuality(G: tf.LayersModel, o: { seed: number; nz: number; count: number; classifier?: Classifier; cacheDir?: string }): Promise<Omit<FinalQuality, 'epoch'>> {
  const classifier = o.classifier ?? (await sharedClassifier());
  const [reference, test] = await Promise.all([testStats(classifier), testFeatures(classifier, o.cacheDir)]);
  const out = await generatedOutputs(G, classifier, o.count, o.seed, o.nz);
  const kid = await kernelInceptionDistance(out.features, out.count, test, test.length / FEATURE_DIM, FEATURE_DIM, { seed: o.seed });
  const sizes = fidSizes(o.count);
  const inf = sizes.length >= 2 ? fidInfinity(out.features, out.count, FEATURE_DIM, reference, sizes, o.seed) : null;
  const summary = summarise(out, inf?.points.at(-1)?.fid ?? Number.NaN);
  return {
    count: o.count,
    kid: kid.kid,
    kidStd: kid.std,
    fidInfinity: inf?.fidInfinity ?? summary.fidMnist,
    fidPoints: inf?.points ?? [],
    digitsPresent: summary.digitsPresent,
    classCounts: summary.classCounts,
  };
}
