import { createPinia } from 'pinia';
import { createApp, watch } from 'vue';
import App from './App.vue';
import { CONNECTION_KEY, connect } from './api/connect.js';
import { API_KEY } from './stores/api.js';
import { useSettingsStore } from './stores/settings.js';
import './styles/base.css';

const connection = connect(window);
const app = createApp(App);
const pinia = createPinia();
app.provide(API_KEY, connection.client);
app.provide(CONNECTION_KEY, connection);
app.use(pinia);

// The theme store stays DOM-free; here it meets the document and localStorage.
const settings = useSettingsStore(pinia);
const THEME_KEY = 'gan-focus.theme';
settings.setTheme(localStorage.getItem(THEME_KEY) ?? 'system');
const dark = window.matchMedia('(prefers-color-scheme: dark)');
settings.systemDark = dark.matches;
dark.addEventListener('change', (e) => (settings.systemDark = e.matches));
watch(
  () => settings.effectiveTheme,
  (t) => (document.documentElement.dataset.theme = t),
  { immediate: true },
);
watch(
  () => settings.theme,
  (t) => localStorage.setItem(THEME_KEY, t),
);

const SMOOTHING_KEY = 'gan-focus.smoothing';
const savedSmoothing = localStorage.getItem(SMOOTHING_KEY);
if (savedSmoothing !== null) settings.setSmoothing(savedSmoothing);
watch(
  () => settings.smoothing,
  (v) => localStorage.setItem(SMOOTHING_KEY, String(v)),
);

app.mount('#app');
