import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';

// Three bundles: main (the Electron shell plus the engine worker it forks),
// the sandboxed preload, and the renderer. `dependencies` (better-sqlite3,
// tfjs, ws) stay external in main: native modules cannot be bundled.
export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve('src/main/electron/main.ts'),
          // Next to index.js, where the launchers look for it.
          worker: resolve('src/main/engine/worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // Sandboxed preloads run as classic scripts: CommonJS, with a .cjs name in this ESM package.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    // Relative asset URLs work both from the app:// protocol and from `serve`.
    base: './',
    plugins: [vue()],
    build: {
      // The same bundle serves `gan-focus serve` to any current browser, not only Electron's Chromium.
      target: 'es2022',
      minify: true,
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
