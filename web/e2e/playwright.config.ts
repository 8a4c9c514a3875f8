import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

const ROOT = join(__dirname, '..', '..');

/**
 * Browser tests of the console against the real built server (`npm run build` first), with a database and a
 * Redis prefix of their own (global-setup.ts), in Debian's Chromium.
 */
export default defineConfig({
  testDir: __dirname,
  testMatch: '*.spec.ts',
  outputDir: join(__dirname, 'results'),
  globalSetup: join(__dirname, 'global-setup.ts'),
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: join(ROOT, '.playwright-results.json') }]],
  use: {
    baseURL: process.env.CONSOLE_URL,
    trace: 'retain-on-failure',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
