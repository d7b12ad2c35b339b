import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

/** The narrowest a chart is drawn, however narrow its box: below this its tick labels collide. */
export const MIN_CHART_WIDTH = 240;

/**
 * The CSS-pixel width of `el`, kept current by a ResizeObserver, so a chart
 * drawn at this width keeps its text at the same size at any window width.
 */
export function useElementWidth(el: Ref<HTMLElement | null>, initial = 640): Ref<number> {
  const width = ref(initial);
  const measure = (w: number) => (width.value = Math.max(MIN_CHART_WIDTH, Math.round(w)));
  let observer: ResizeObserver | null = null;
  onMounted(() => {
    if (!el.value) return;
    measure(el.value.clientWidth);
    observer = new ResizeObserver(([entry]) => measure(entry.contentRect.width));
    observer.observe(el.value);
  });
  onBeforeUnmount(() => observer?.disconnect());
  return width;
}
