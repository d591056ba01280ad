/**
 * A real browser for the inspector's tests: Debian's chromium, driven by playwright-core, headless,
 * with a fresh profile of its own and nothing fetched from anywhere (playwright never downloads a
 * browser here). Tests that need it call `skipWithout('chromium', ['--version'])` first.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { tempDir } from './cli.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Kept after the run for a person to look at (gitignored). */
export const ARTEFACTS = fileURLToPath(new URL('../../test-artefacts/', import.meta.url));

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Messages the page logged as errors, and uncaught exceptions: a working page has none. */
  errors: string[];
  close(): Promise<void>;
}

export async function openBrowser({ width = 1280, height = 800 } = {}): Promise<TestBrowser> {
  const context = await chromium.launchPersistentContext(tempDir('chromium-profile-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width, height },
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { context, page, errors, close: () => context.close() };
}

/** Saves a screenshot as test-artefacts/<folder>/<name>.png and returns its path. */
export async function screenshot(page: Page, folder: string, name: string): Promise<string> {
  const dir = join(ARTEFACTS, folder);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
