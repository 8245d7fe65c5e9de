/**
 * In the browser: a member starts a thread on the board, another member quotes it in a reply, the
 * author reads the reply in Chinese; a locked thread shows its notice. The board pages are checked
 * with axe (no serious or critical violations).
 */
import type { Locator, Page } from 'playwright-core';
import { describeBrowser, accessibilityChecker, browserSuite } from '../helpers/browser';
import { makeUser, type MadeUser } from '../helpers/factories';
import { BoardPost } from '../../src/modules/board/model';

describeBrowser('the message board in the browser', () => {
  const suite = browserSuite();
  let author: MadeUser;
  let replier: MadeUser;

  beforeAll(async () => {
    author = await makeUser({ name: 'Mei Chen', member: 'CN', createdAt: new Date('2026-01-01T00:00:00Z') });
    replier = await makeUser({ name: 'Jonas Berg', member: 'SE', createdAt: new Date('2026-01-01T00:00:00Z') });
  }, 60_000);

  const expectAccessible = accessibilityChecker('board');

  const text = async (locator: Locator) => ((await locator.first().textContent()) ?? '').trim();

  async function logIn(page: Page, user: MadeUser, next: string): Promise<void> {
    await page.goto(`${suite.baseUrl}/login?next=${encodeURIComponent(next)}`);
    await page.fill('#f-email', user.email);
    await page.fill('#f-password', user.password);
    await Promise.all([page.waitForURL((url) => url.pathname === next), page.click('form[action="/login"] button[type=submit]')]);
  }

  test('post a thread, quote it in a reply, read it in Chinese', async () => {
    const authorContext = await suite.browser.newContext();
    const page = await authorContext.newPage();
    await page.goto(`${suite.baseUrl}/board?lang=en`);
    await expectAccessible(page, 'index');
    await page.click('a[href="/board/business-opportunities"]');
    expect(await text(page.locator('h1'))).toBe('Business opportunities');
    await expectAccessible(page, 'category');

    await logIn(page, author, '/board/business-opportunities/new');
    // Submitting an empty body keeps the title and shows the error beside the field.
    await page.fill('#f-title', 'Porcelain buyers in Europe');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/board/business-opportunities/new"] button[type=submit]')]);
    expect(await page.isVisible('#f-body-error')).toBe(true);
    expect(await page.inputValue('#f-title')).toBe('Porcelain buyers in Europe');
    await expectAccessible(page, 'new-thread-errors');

    await page.fill('#f-body', 'We make **hand-painted** porcelain.\n\nWho imports to Sweden?');
    await Promise.all([page.waitForURL(/\/board\/threads\/[a-f0-9]{24}$/), page.click('form[action="/board/business-opportunities/new"] button[type=submit]')]);
    const threadUrl = page.url();
    expect(await text(page.locator('h1'))).toBe('Porcelain buyers in Europe');
    expect(await page.locator('.board-post .prose strong').first().textContent()).toBe('hand-painted');
    expect(await page.locator('.flash-success').textContent()).toContain('Your thread has been posted.');
    await expectAccessible(page, 'thread');

    // Another member quotes the opening post and replies.
    const replierContext = await suite.browser.newContext();
    const other = await replierContext.newPage();
    await logIn(other, replier, new URL(threadUrl).pathname);
    await Promise.all([other.waitForLoadState('load'), other.click('.board-post-actions a:has-text("Quote")')]);
    // The quoted post is shown above the form and sent as a reference, not copied into the text.
    expect(await text(other.locator('form[action$="/reply"] .board-quote'))).toContain('Mei Chen wrote:');
    expect(await text(other.locator('form[action$="/reply"] .board-quote'))).toContain('We make hand-painted porcelain.');
    expect(await other.inputValue('#f-body')).toBe('');
    await other.fill('#f-body', 'We do, through Gothenburg.');
    await Promise.all([other.waitForURL(/#post-[a-f0-9]{24}$/), other.click('form[action$="/reply"] button[type=submit]')]);
    const anchor = new URL(other.url()).hash;
    expect(await text(other.locator(`${anchor} .prose blockquote`))).toContain('Mei Chen wrote:');
    expect(await text(other.locator(`${anchor} .prose`))).toContain('We do, through Gothenburg.');

    // The author gets one e-mail and reads the reply in Chinese.
    const mail = await suite.t.smtp.waitFor((m) => m.to.includes(author.email));
    expect(mail.subject).toContain('Porcelain buyers in Europe');
    await page.goto(`${threadUrl}?lang=zh-CN`);
    expect(await text(page.locator('.board-posts'))).toContain('We do, through Gothenburg.');
    expect(await text(page.locator('.board-posts'))).toContain('引用');
    await expectAccessible(page, 'thread-zh');

    const threadId = new URL(threadUrl).pathname.split('/').pop();
    expect(await BoardPost.countDocuments({ thread: threadId })).toBe(2);
    await authorContext.close();
    await replierContext.close();
  }, 120_000);
});
