import { onBeforeUnmount, onMounted, shallowRef, watch, type Ref } from 'vue';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatNumber } from '../logic/format.js';
import { useElementWidth } from './element-width.js';

/** What one uPlot draws; its size comes from the element it is drawn in. */
export interface UplotSpec {
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
}

/** A theme colour, read when a chart is built: the theme may have changed since the last one. */
export function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export const seriesColour = (slot: number) => cssVar(`--series-${slot % 6}`, '#2456c7');

/** An x axis labelled `xLabel` and a y axis with room for values at 3 significant digits, in the theme's colours. */
export function themedAxes(xLabel: string, x: Partial<uPlot.Axis> = {}): uPlot.Axis[] {
  const grid = cssVar('--border', '#cfcfc8');
  const axis: uPlot.Axis = { stroke: cssVar('--muted', '#5d5d58'), grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return [
    { ...axis, label: xLabel, labelSize: 18, ...x },
    { ...axis, size: 52, values: (_u, ticks) => ticks.map((t) => formatNumber(t, 3)) },
  ];
}

/** The plots whose cursor `u` shares (its uPlot sync group), itself included. */
function syncedWith(u: uPlot): uPlot[] {
  const key = u.cursor.sync?.key;
  return key == null ? [u] : uPlot.sync(key).plots;
}

/**
 * One uPlot drawn in `host`: built on mount and by `build()` (new options),
 * as wide as `host` and resized with it, destroyed on unmount. `spec` returns
 * null when there is nothing to draw.
 */
export function useUplot(host: Ref<HTMLElement | null>, spec: () => UplotSpec | null, height: () => number) {
  const plot = shallowRef<uPlot | null>(null);
  const width = useElementWidth(host);

  function build(): void {
    plot.value?.destroy();
    plot.value = null;
    if (!host.value) return;
    const s = spec();
    if (s) plot.value = new uPlot({ ...s.options, width: width.value, height: height() }, s.data, host.value);
  }

  /**
   * Sets the x window of this chart and of every chart it shares the cursor
   * with, as uPlot's sync does itself for a drag or a double-click, so that
   * keyboard zoom and a Reset button act on the whole view too. null: each
   * chart back to all its data.
   */
  function zoomX(range: [number, number] | null): void {
    if (!plot.value) return;
    for (const u of syncedWith(plot.value)) {
      const xs = u.data[0];
      if (xs.length === 0) continue;
      const [min, max] = range ?? [xs[0], xs[xs.length - 1]];
      u.setScale('x', { min, max });
    }
  }

  onMounted(build);
  watch(width, (w) => {
    if (plot.value && w !== plot.value.width) plot.value.setSize({ width: w, height: height() });
  });
  onBeforeUnmount(() => plot.value?.destroy());
  return { plot, build, zoomX };
}
