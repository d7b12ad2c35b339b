import { onBeforeUnmount, ref, type Ref } from 'vue';
import { stepEpoch } from '../logic/epoch-step.js';

/**
 * Plays through the epochs: one step every `intervalMs`, stopping at the
 * last; from the last it starts again at the first.
 */
export function useEpochPlayer(epochs: Ref<readonly number[]>, current: Ref<number | null>, select: (epoch: number) => void, intervalMs = 900) {
  const playing = ref(false);
  let timer: ReturnType<typeof setInterval> | null = null;

  function stop(): void {
    if (timer !== null) clearInterval(timer);
    timer = null;
    playing.value = false;
  }

  function advance(): void {
    const next = stepEpoch(epochs.value, current.value, 1);
    if (next === null || next === current.value) return stop();
    select(next);
  }

  function play(): void {
    if (epochs.value.length < 2) return;
    if (current.value === epochs.value[epochs.value.length - 1]) select(epochs.value[0]);
    playing.value = true;
    timer = setInterval(advance, intervalMs);
  }

  const toggle = () => (playing.value ? stop() : play());
  onBeforeUnmount(stop);
  return { playing, toggle, stop };
}
