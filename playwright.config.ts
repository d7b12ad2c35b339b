import { defineConfig } from '@playwright/test';

// Web mode in Debian's Chromium against `gan-focus serve` on a temporary home
// (tests/e2e), and the Electron app where its binary exists (tests/e2e-electron).
export default defineConfig({
  outputDir: 'test-results',
  timeout: 240_000,
  expect: { timeout: 60_000 },
  // One server, one engine at a time on a 2-core machine: run files in order.
  workers: 1,
  fullyParallel: false,
  reporter: [['list']],
  use: {
    headless: true,
    viewport: { width: 1280, height: 860 },
    actionTimeout: 30_000,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'web',
      testDir: 'tests/e2e',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
        },
      },
    },
    { name: 'electron', testDir: 'tests/e2e-electron' },
  ],
  globalSetup: './tests/e2e/support/global-setup.ts',
});
