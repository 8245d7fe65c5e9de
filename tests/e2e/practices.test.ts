/**
 * In the browser: a member publishes a practice with a PDF and an image — with JavaScript (the
 * upload goes with a progress bar) and without (the plain form) — then finds it by a Chinese
 * search word. The pages pass axe (no serious or critical violations) and the feed parses as XML.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describeBrowser, accessibilityChecker, browserSuite } from '../helpers/browser';
import { makeUser } from '../helpers/factories';
import { pdfBytes, pngBytes } from '../fixtures/files';
import { Practice } from '../../src/modules/practices/model';

describeBrowser('publishing and finding a best practice in the browser', () => {
  const suite = browserSuite();

  const expectAccessible = accessibilityChecker('practices');

  /** The image is lazy-loaded: bring it into view, then wait until the browser has decoded it. */
  async function expectImageLoaded(page: Page): Promise<void> {
    const img = await page.waitForSelector('img.practice-image');
    await img.scrollIntoViewIfNeeded();
    const loaded = await page.waitForFunction(
      (el) => {
        const i = el as unknown as { complete: boolean; naturalWidth: number };
        return i.complete && i.naturalWidth > 0;
      },
      img,
      { timeout: 30_000 },
    );
    expect(await loaded.jsonValue()).toBe(true);
  }

  async function loggedIn(context: BrowserContext, lang: 'en' | 'zh-CN'): Promise<Page> {
    const user = await makeUser({ role: 'member', member: 'CN', language: lang });
    const page = await context.newPage();
    await page.goto(`${suite.baseUrl}/login?lang=${lang}`);
    await page.fill('#f-email', user.email);
    await page.fill('#f-password', user.password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/login"] button[type=submit]')]);
    return page;
  }

  async function fillPractice(page: Page, title: string) {
    await page.fill('#f-title', title);
    await page.fill('#f-summary', '数字化转型帮助中小企业进入新市场。');
    await page.fill('#f-body', '## 做法\n\n我们为**中小企业**提供数字化诊断。');
    await page.check('input[name="themes"][value="ecommerce"]');
    await page.check('input[name="themes"][value="innovation"]');
    await page.selectOption('#f-language', 'zh');
    await page.fill('#f-organisation', '苏州数字工场');
    await page.setInputFiles('#f-attachments', [
      { name: '数字化方案.pdf', mimeType: 'application/pdf', buffer: pdfBytes() },
      { name: '成果图.png', mimeType: 'image/png', buffer: pngBytes() },
    ]);
  }

  async function expectPublishedPage(page: Page, title: string) {
    expect(await page.textContent('h1')).toBe(title);
    expect(await page.textContent('.flashes')).toBeTruthy();
    expect(await page.textContent('#practice-docs + ul')).toContain('数字化方案.pdf');
    // The image is shown inline and has really loaded.
    await expectImageLoaded(page);
  }

  test('with JavaScript: publish with a PDF and an image (progress bar), then find it by a Chinese word', async () => {
    const context = await suite.browser.newContext();
    const page = await loggedIn(context, 'zh-CN');
    await page.goto(`${suite.baseUrl}/practices/new`);
    await expectAccessible(page, 'form');
    expect(await page.isHidden('.upload-progress')).toBe(true);
    await fillPractice(page, '中小企业数字化转型诊断');
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/practices/new') posts.push(r.resourceType());
    });
    await Promise.all([page.waitForURL(/\/practices\/[a-f0-9]{24}$/), page.click('button[name="intent"][value="publish"]')]);
    await page.waitForSelector('img.practice-image');
    await expectPublishedPage(page, '中小企业数字化转型诊断');
    expect(posts).toEqual(['xhr']); // sent by upload-progress.js, which shows the progress bar
    await expectAccessible(page, 'show');

    const stored = await Practice.findOne({ title: '中小企业数字化转型诊断' }).lean();
    expect(stored?.attachments.map((a) => a.kind)).toEqual(['pdf', 'png']);

    await page.goto(`${suite.baseUrl}/practices`);
    await page.fill('#f-q', '数字化');
    await Promise.all([page.waitForLoadState('load'), page.click('form[role="search"] button[type=submit]')]);
    expect(new URL(page.url()).searchParams.get('q')).toBe('数字化');
    const results = await page.textContent('.practice-list');
    expect(results).toContain('中小企业数字化转型诊断');
    await expectAccessible(page, 'list');
    await context.close();
  }, 300_000);

  test('without JavaScript: the plain form publishes too, and errors keep the input', async () => {
    const context = await suite.browser.newContext({ javaScriptEnabled: false });
    const page = await loggedIn(context, 'en');
    await page.goto(`${suite.baseUrl}/practices/new`);
    await fillPractice(page, '');
    await Promise.all([page.waitForLoadState('load'), page.click('button[name="intent"][value="publish"]')]);
    expect(await page.textContent('#f-title-error')).toBeTruthy();
    expect(await page.inputValue('#f-organisation')).toBe('苏州数字工场');
    expect(await page.textContent('.practice-reselect')).toBeTruthy();
    await page.fill('#f-title', 'Digital diagnosis for SMEs 数字化');
    await page.setInputFiles('#f-attachments', [
      { name: 'plan.pdf', mimeType: 'application/pdf', buffer: pdfBytes() },
      { name: 'photo.png', mimeType: 'image/png', buffer: pngBytes() },
    ]);
    await Promise.all([page.waitForURL(/\/practices\/[a-f0-9]{24}$/), page.click('button[name="intent"][value="publish"]')]);
    expect(await page.textContent('h1')).toBe('Digital diagnosis for SMEs 数字化');
    await expectImageLoaded(page);
    await page.goto(`${suite.baseUrl}/practices?q=${encodeURIComponent('数字化')}`);
    expect(await page.textContent('.practice-list')).toContain('Digital diagnosis for SMEs');
    await context.close();
  }, 300_000);

  test('the feed parses as XML in the browser', async () => {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${suite.baseUrl}/practices`);
    // A string: the test project compiles without the DOM library.
    const check = await page.evaluate(`(async () => {
      const text = await (await fetch('/practices/feed.xml')).text();
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      return { error: doc.getElementsByTagName('parsererror').length, root: doc.documentElement.namespaceURI, entries: doc.getElementsByTagName('entry').length };
    })()`);
    expect(check).toEqual({ error: 0, root: 'http://www.w3.org/2005/Atom', entries: expect.any(Number) });
    await context.close();
  }, 120_000);
});
