import { readonly, ref } from 'vue';
import { formatRoute, parseRoute, type Route } from '../logic/routes.js';

const current = ref<Route>(parseRoute(window.location.hash));
window.addEventListener('hashchange', () => {
  current.value = parseRoute(window.location.hash);
});

export function useRoute() {
  return readonly(current);
}

export function navigate(route: Route): void {
  const hash = formatRoute(route);
  if (window.location.hash === hash) current.value = parseRoute(hash);
  else window.location.hash = hash;
}

/** Rewrites the address without a new history entry (a changed setting is not a page to go back to). */
export function replaceRoute(route: Route): void {
  const hash = formatRoute(route);
  if (window.location.hash === hash) return;
  window.history.replaceState(window.history.state, '', hash);
  current.value = parseRoute(hash);
}

export function href(route: Route): string {
  return formatRoute(route);
}
