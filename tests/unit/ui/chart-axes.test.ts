import { describe, expect, it } from 'vitest';
import { axisMarks, layoutChart, withAlpha } from '../../../src/renderer/src/logic/chart.js';

const box = { width: 400, height: 200, left: 48, right: 14, top: 12, bottom: 40 };
const layout = layoutChart([{ id: 'a', label: 'a', points: [{ x: 1, y: 0 }, { x: 5, y: 0.123456 }] }], box, { xInteger: true });

describe('SVG chart axes', () => {
  it('puts a grid line across the plotting area at every y tick, and its label left of it', () => {
    const m = axisMarks(layout, box);
    expect(m.grid.map((g) => g.y)).toEqual(layout.yTicks.map((t) => t.pos));
    for (const g of m.grid) expect([g.x1, g.x2]).toEqual([48, 386]);
    const y = m.labels.filter((l) => l.key.startsWith('yl'));
    expect(y.map((l) => l.text)).toEqual(layout.yTicks.map((t) => String(t.value)));
    for (const l of y) expect([l.x, l.anchor]).toEqual([42, 'end']);
    // The baseline sits 4 px below the tick, so the text is centred on its line.
    expect(y.map((l) => l.y)).toEqual(layout.yTicks.map((t) => t.pos + 4));
  });

  it('labels whole-number x ticks under the plot and the x axis only when it has a label', () => {
    const x = axisMarks(layout, box).labels.filter((l) => l.key.startsWith('xl'));
    expect(x.map((l) => l.text)).toEqual(['1', '2', '3', '4', '5']);
    for (const l of x) expect([l.y, l.anchor]).toEqual([176, 'middle']);
    expect(axisMarks(layout, box).labels.some((l) => l.key === 'x-label')).toBe(false);
    expect(axisMarks(layout, box, 'epoch').labels.find((l) => l.key === 'x-label')).toEqual({ key: 'x-label', x: 217, y: 196, anchor: 'middle', text: 'epoch' });
  });

  it('rounds y labels to 3 significant digits and x labels to 6, and keys every mark uniquely', () => {
    const fine = layoutChart([{ id: 'a', label: 'a', points: [{ x: 1000.5, y: 0.1111 }, { x: 1001.5, y: 0.1119 }] }], box);
    const m = axisMarks(fine, box, 'iteration');
    expect(fine.yTicks.map((t) => t.value)).toEqual([0.1112, 0.1114, 0.1116, 0.1118]);
    expect(m.labels.filter((l) => l.key.startsWith('yl')).map((l) => l.text)).toEqual(['0.111', '0.111', '0.112', '0.112']);
    expect(m.labels.filter((l) => l.key.startsWith('xl')).map((l) => l.text)).toEqual(['1000.6', '1000.8', '1001', '1001.2', '1001.4']);
    const keys = [...m.grid, ...m.labels].map((k) => k.key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('withAlpha', () => {
  it('appends the alpha to a #rrggbb colour and leaves any other colour as it is', () => {
    expect(withAlpha('#2456c7', '40')).toBe('#2456c740');
    expect(withAlpha('#ABCDEF', '00')).toBe('#ABCDEF00');
    expect(withAlpha('#abc', '40')).toBe('#abc');
    expect(withAlpha('rgb(1, 2, 3)', '40')).toBe('rgb(1, 2, 3)');
  });
});
