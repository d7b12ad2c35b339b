import { describe, expect, it } from 'vitest';
import type { EpochFocusSummary, EpochTrainingState, Faithfulness } from '../../../src/shared/explain.js';
import { recommendBestEpoch } from '../../../src/main/engine/explain/summary.js';
import { gateEpochs } from '../../../src/main/engine/explain/epoch-gates.js';

function focus(epoch: number, medianOffDigit: number, noEvidence = 0, faithfulness: Faithfulness | null = null): EpochFocusSummary {
  return { epoch, samples: 16, noEvidence, meanOffDigit: medianOffDigit, medianOffDigit, flagRate: 0, meanSharpness: 0.5, meanBaselineRatio: 0.3, faithfulness };
}

function state(epoch: number, dx: number | null, dgz: number | null, fid: number | null, digits = 10): EpochTrainingState {
  return {
    epoch,
    dx,
    dgz,
    quality: fid === null ? null : { epoch, count: 1000, classCounts: [], digitsPresent: digits, meanConfidence: 0.9, fidMnist: fid },
  };
}

function road(cam: number, random: number): Faithfulness {
  return { metric: 'road', fractions: [0.1], samples: 16, score: 2, cam, camSd: 0.1, random, mask: 0.5, curves: { cam: { morf: [], lerf: [] }, random: { morf: [], lerf: [] }, mask: { morf: [], lerf: [] } } };
}

// A learned run as issue 13 saw it: the untrained start focuses best on the digit.
const learned = {
  focus: [focus(1, 0.1), focus(2, 0.4), focus(3, 0.3), focus(4, 0.28), focus(5, 0.29)],
  training: [state(1, 0.52, 0.49, 494, 3), state(2, 0.85, 0.2, 180, 9), state(3, 0.8, 0.25, 60), state(4, 0.75, 0.3, 48), state(5, 0.78, 0.28, 42)],
};

describe('best-epoch gates', () => {
  it('never picks the untrained epoch 1, however well its CAMs sit on the digit', () => {
    const rec = recommendBestEpoch(learned.focus, learned.training);
    expect(rec.epoch).toBe(4);
    expect(rec.verdicts[0].excluded).toEqual([
      'D has not learned: D(x) 0.52 - D(G(z)) 0.49 = 0.03 < 0.1',
      'G is poor: FID-MNIST 494.0 > 63.0 (1.5 x the best, 42.0)',
      "G draws 3 digits (the run's best: 10)",
    ]);
    // Epoch 2: D has learned but G's FID is far from the run's best.
    expect(rec.verdicts[1].excluded).toEqual(['G is poor: FID-MNIST 180.0 > 63.0 (1.5 x the best, 42.0)']);
    expect(rec.verdicts.slice(2).map((v) => v.excluded)).toEqual([[], [], []]);
    expect(rec.reason).toContain('Of the 3 epochs that pass the gates, epoch 4 has the lowest median off-digit share, 28.0%');
    expect(rec.reason).toContain('Not ranked: epoch 1: D has not learned');
  });

  it('never picks an epoch where D has collapsed to certainty', () => {
    const rec = recommendBestEpoch(
      [focus(3, 0.05), focus(4, 0.3)],
      [state(3, 0.999, 0.004, 40), state(4, 0.8, 0.3, 41)],
    );
    expect(rec.epoch).toBe(4);
    expect(rec.verdicts[0].excluded).toEqual(['D has collapsed: D(x) 1.00 - D(G(z)) 0.00 = 0.99 > 0.95']);
    // A D fooled by G (D(G(z)) above D(x)) has not learned either.
    expect(gateEpochs([focus(1, 0.1)], [state(1, 0.3, 0.6, 40)])[0].excluded[0]).toMatch(/^D has not learned: .* = -0\.30 < 0\.1$/);
  });

  it('puts an absolute ceiling on FID-MNIST, so a run that never learns gets no recommendation', () => {
    const rec = recommendBestEpoch([focus(1, 0.2), focus(2, 0.2)], [state(1, 0.95, 0.15, 670, 2), state(2, 0.9, 0.1, 650, 2)]);
    expect(rec.epoch).toBeNull();
    expect(rec.reason).toBe(
      "No explained epoch passes the rule's gates, so none is recommended. epoch 1: G is poor: FID-MNIST 670.0 > 200.0. epoch 2: G is poor: FID-MNIST 650.0 > 200.0.",
    );
  });

  it('wants most probes to carry evidence and the CAMs to beat a random map where faithfulness is known', () => {
    const training = [state(1, 0.8, 0.3, 40), state(2, 0.8, 0.3, 40), state(3, 0.8, 0.3, 40)];
    const rec = recommendBestEpoch([focus(1, 0.01, 14), focus(2, 0.1, 0, road(0.1, 0.3)), focus(3, 0.4, 8, road(0.5, 0.3))], training);
    expect(rec.epoch).toBe(3);
    expect(rec.verdicts[0].excluded).toEqual(['14 of 16 probe samples have no evidence']);
    expect(rec.verdicts[1].excluded).toEqual(['CAMs do not beat a random map (ROAD 0.10 vs 0.30)']);
  });

  it('fails an epoch whose D means or G quality were not recorded, and names the command that fills the gap', () => {
    const [v] = gateEpochs([focus(1, 0.1)], [state(1, null, null, null)]);
    expect(v.excluded).toEqual(['D(x) and D(G(z)) not recorded', 'G quality not measured (gan-focus quality)']);
    expect(gateEpochs([focus(2, 0.1)], [])[0]).toEqual({ epoch: 2, dx: null, dgz: null, fidMnist: null, digitsPresent: null, excluded: [
      'D(x) and D(G(z)) not recorded',
      'G quality not measured (gan-focus quality)',
    ] });
  });

  it('judges G against the run best over all trained epochs, not only the explained ones', () => {
    // Epoch 10 is trained and measured (FID 30) but not explained: epoch 5's 60 is then too far from the best.
    const [v] = gateEpochs([focus(5, 0.2)], [state(5, 0.8, 0.3, 60), state(10, 0.8, 0.3, 30)]);
    expect(v.excluded).toEqual(['G is poor: FID-MNIST 60.0 > 45.0 (1.5 x the best, 30.0)']);
  });
});
