import { describe, expect, it } from 'vitest';
import { STUDY_ARMS, type FinalQuality, type StudyArm, type StudyRunCell } from '../../../src/shared/study.js';
import { STUDY_CSV_COLUMNS, studyCsv } from '../../../src/main/report/csv-study.js';
import { renderStudyHtml, STUDY_SECTIONS } from '../../../src/main/report/html-study.js';
import { REPORT_SCHEMA_VERSION, type StudyReportData } from '../../../src/main/report/report-data.js';
import { spread } from '../../../src/main/study/stats.js';

// The study report's rendering on a study answer written out by hand: two
// epochs, the random arm with one seed left (its second run failed). The real
// study end to end is in tests/unit/cli/study.test.ts.

const final = (kid: number): FinalQuality => ({ epoch: 2, count: 5000, kid, kidStd: 0.01, fidInfinity: kid * 10, fidPoints: [], digitsPresent: 9, classCounts: [] });

function cell(id: number, seed: number, fids: number[], kid: number | null): StudyRunCell {
  return {
    id,
    seed,
    status: kid === null ? 'failed' : 'completed',
    epochsCompleted: fids.length,
    epochs: 2,
    quality: fids.map((fidMnist, i) => ({ epoch: i + 1, fidMnist, digitsPresent: 8 + i })),
    final: kid === null ? null : final(kid),
  };
}

function arm(name: StudyArm['name'], runs: StudyRunCell[]): StudyArm {
  const finals = runs.flatMap((r) => (r.final ? [r.final] : []));
  return {
    name,
    excluded: name === 'full' ? 0 : 26,
    digits: name === 'full' ? null : [0, 13, 0, 3, 1, 0, 0, 4, 4, 1],
    runs,
    perEpoch: [1, 2].map((epoch) => ({ epoch, ...spread(runs.flatMap((r) => r.quality.filter((q) => q.epoch === epoch).map((q) => q.fidMnist!))) })),
    final: spread(finals.map((f) => f.kid)),
    finalFidInfinity: spread(finals.map((f) => f.fidInfinity)),
    finalDigitsPresent: spread(finals.map((f) => f.digitsPresent)),
  };
}

const data: StudyReportData = {
  schemaVersion: REPORT_SCHEMA_VERSION,
  kind: 'study',
  environment: { app: { name: 'GAN Focus', version: '0' }, generatedAt: '2026-01-01T00:00:00.000Z', platform: 'test', backend: null, backendError: 'not asked' },
  id: 7,
  name: '<script>alert(1)</script>',
  parentId: 1,
  epoch: 3,
  seeds: [2, 3],
  status: 'failed',
  createdAt: '2026-01-01T00:00:00.000Z',
  progress: { runsDone: 5, runsTotal: 6, epochsDone: 11, epochsTotal: 12, secondsPerEpoch: 1, etaSeconds: 1, current: null, finalMissing: 0 },
  verdict: 'Excluding the flagged samples, against full data: no detectable effect.',
  explain: { layers: ['block4'], method: 'gradcam', target: 'real', settings: { maskLevel: 0.5, dilation: 2, camLevel: 0.5, threshold: 0.7 }, confirmedOnly: false },
  drawSeed: 2,
  metric: { name: 'kid', label: 'KID', lowerIsBetter: true, samples: 5000 },
  arms: [
    arm('full', [cell(2, 2, [600, 500], 0.5), cell(5, 3, [610, 520], 0.6)]),
    arm('flagged-excluded', [cell(3, 2, [605, 505], 0.55), cell(6, 3, [615, 515], 0.65)]),
    arm('random-excluded', [cell(4, 2, [602, 502], 0.52), cell(7, 3, [620], null)]),
  ],
  effect: { flaggedVsRandom: { estimate: 0.08, low: null, high: null, df: null }, flaggedVsFull: { estimate: 0.05, low: -0.6, high: 0.7, df: 2 } },
};

describe('study report rendering', () => {
  const html = renderStudyHtml(data);

  it('has every section, escapes the name, and says where an interval is missing', () => {
    for (const id of STUDY_SECTIONS) expect(html).toContain(`id="${id}"`);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;&#47;script&gt;');
    expect(html).toContain('+0.0800 (no interval: under 2 seeds per arm)');
    expect(html).toContain('+0.0500 [-0.6000, 0.7000]');
  });

  it('draws a band only where an arm has 2 seeds at that epoch', () => {
    const chart = html.slice(html.indexOf('id="curves"'), html.indexOf('</svg>', html.indexOf('id="curves"')));
    const bands = [...chart.matchAll(/<polygon points="([^"]+)"/g)].map((m) => m[1].split(' ').length);
    // full and flagged: 2 epochs, 2 points each edge; random: epoch 1 only (epoch 2 has one seed).
    expect(bands).toEqual([4, 4, 2]);
  });

  it('CSV: one row per arm x seed x epoch; the final estimate on its epoch only', () => {
    const { text, rows } = studyCsv(data);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(STUDY_CSV_COLUMNS.join(','));
    expect(rows).toBe(11);
    expect(lines.slice(1, 3)).toEqual(['7,full,0,2,2,completed,1,600,8,,,,', '7,full,0,2,2,completed,2,500,9,0.5,0.01,5,9']);
    expect(lines[11]).toBe('7,random-excluded,26,3,7,failed,1,620,8,,,,');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(new Set(lines.slice(1, -1).map((l) => l.split(',')[1]))).toEqual(new Set(STUDY_ARMS));
  });
});
