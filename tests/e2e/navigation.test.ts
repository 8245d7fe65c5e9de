/**
 * In the browser, on a phone-sized window and by keyboard alone: Tab reaches the menu button, Enter
 * or Space opens it, Tab goes into the links and Enter follows one. Without JavaScript the links are
 * there anyway; at 400 % zoom (320 CSS px) the main navigation stays reachable. Axe finds nothing.
 */
import type { Page } from 'playwright-core';
import { describeBrowser, accessibilityChecker, browserSuite } from '../helpers/browser';

const PHONE = { width: 375, height: 740 };

/** Presses Tab until the focused element matches, at most `max` times; returns whether it did. */
async function tabTo(page: Page, selector: string, max = 25): Promise<boolean> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    // A locator, not page.evaluate: it works with JavaScript turned off in the page too.
    if ((await page.locator(`${selector}:focus`).count()) > 0) return true;
  }
  return false;
}

describeBrowser('main navigation on a phone, by keyboard', () => {
  const suite = browserSuite();
  const expectAccessible = accessibilityChecker('navigation');

  test('Tab to the menu button, open it with Enter, Tab into the links, follow one', async () => {
    const context = await suite.browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await page.goto(`${suite.baseUrl}/?lang=en`);
    const toggle = page.locator('button.nav-toggle');
    const nav = page.locator('#main-nav');

    // Collapsed at first: the links are not shown, the button says so.
    expect(await nav.isVisible()).toBe(false);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await toggle.getAttribute('aria-controls')).toBe('main-nav');
    await expectAccessible(page, 'phone-closed');

    expect(await tabTo(page, 'button.nav-toggle')).toBe(true);
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await nav.isVisible()).toBe(true);
    await expectAccessible(page, 'phone-open');

    // The next Tab stop is the first link of the menu.
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').getAttribute('href')).toBe('/fair');
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').getAttribute('href')).toBe('/events');
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').getAttribute('href')).toBe('/practices');
    await Promise.all([page.waitForURL((u) => u.pathname === '/practices'), page.keyboard.press('Enter')]);
    expect(await page.locator('h1').first().isVisible()).toBe(true);

    // Space toggles too, and Escape closes the menu and gives focus back to the button.
    expect(await tabTo(page, 'button.nav-toggle')).toBe(true);
    await page.keyboard.press('Space');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await nav.isVisible()).toBe(false);
    expect(await page.locator('button.nav-toggle:focus').count()).toBe(1);
    await context.close();
  }, 120_000);

  test('without JavaScript the links are shown and reachable by Tab on a phone', async () => {
    const context = await suite.browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${suite.baseUrl}/?lang=en`);
    expect(await page.locator('#main-nav').isVisible()).toBe(true);
    // No button that would do nothing.
    expect(await page.locator('button.nav-toggle').isVisible()).toBe(false);
    expect(await tabTo(page, '#main-nav a[href="/members"]')).toBe(true);
    await Promise.all([page.waitForURL((u) => u.pathname === '/members'), page.keyboard.press('Enter')]);
    // (axe runs inside the page, so it cannot run here: the same markup is checked with JavaScript on.)
    expect(await page.locator('#main-nav a[href="/members"][aria-current="page"]').count()).toBe(1);
    await context.close();
  }, 120_000);

  test('at 400 % zoom (320 CSS px wide) the main navigation is reachable and fits the width', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 320, height: 256 } });
    const page = await context.newPage();
    await page.goto(`${suite.baseUrl}/?lang=en`);
    expect(await tabTo(page, 'button.nav-toggle')).toBe(true);
    await page.keyboard.press('Enter');
    const links = page.locator('#main-nav a');
    expect(await links.count()).toBeGreaterThanOrEqual(5);
    for (const link of await links.all()) {
      expect(await link.isVisible()).toBe(true);
      const box = await link.boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x + box!.width).toBeLessThanOrEqual(320);
    }
    // Nothing forces sideways scrolling.
    expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(320);
    await expectAccessible(page, 'zoom-400');
    await context.close();
  }, 120_000);
});
