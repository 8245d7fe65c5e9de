/**
 * Browser tests: Debian's Chromium driven by playwright-core, against the real app listening on a
 * free port. Without /usr/bin/chromium the browser tests are skipped with a notice — unless
 * REQUIRE_BROWSER=1 (CI), where a missing browser fails the run.
 */
import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import type { Express } from 'express';
import { createTestApp, type TestApp } from './app';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserAvailable = existsSync(CHROMIUM_PATH);
export const ARTIFACTS_DIR = path.resolve(__dirname, '../../test-artifacts');

if (!browserAvailable && process.env.REQUIRE_BROWSER === '1') {
  throw new Error(`REQUIRE_BROWSER=1 but no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
}

/** describe() when a browser is there, describe.skip() with a notice otherwise. */
export const describeBrowser: jest.Describe = browserAvailable
  ? describe
  : (((name: string, fn: () => void) => {
      // eslint-disable-next-line no-console
      console.warn(`Skipping browser tests "${name}": no Chromium at ${CHROMIUM_PATH}`);
      describe.skip(name, fn);
    }) as unknown as jest.Describe);

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export async function listen(app: Express): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}

/**
 * An axe check for a test file: no serious or critical violation (any violation at all with
 * `allImpacts`) of WCAG 2.x A/AA on the page; on failure a full-page screenshot is kept as
 * test-artifacts/<prefix>-<name>.png.
 */
export function accessibilityChecker(prefix: string, opts: { allImpacts?: boolean } = {}) {
  return async (page: Page, name = 'page'): Promise<void> => {
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
    const failing = opts.allImpacts ? results.violations : results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    if (failing.length) await page.screenshot({ path: artifactPath(`${prefix}-${name}.png`), fullPage: true });
    expect(failing.map((v) => `${page.url()} ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  };
}

export interface BrowserSuite {
  /** The app under test (its context, SMTP capture, clock). */
  t: TestApp;
  baseUrl: string;
  browser: Browser;
}

/**
 * Registers the hooks every browser test file needs — the real app on its own database, listening
 * on a free port, and Chromium — and returns them (filled in once beforeAll has run).
 */
export function browserSuite(opts?: Parameters<typeof createTestApp>[0]): BrowserSuite {
  const suite = {} as BrowserSuite;
  let server: { baseUrl: string; close(): Promise<void> } | undefined;
  beforeAll(async () => {
    suite.t = await createTestApp(opts);
    server = await listen(suite.t.app);
    suite.baseUrl = server.baseUrl;
    suite.browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await suite.browser?.close();
    await server?.close();
    await suite.t?.close();
  });
  return suite;
}
