/**
 * In the browser: an official (liaison of one ASEM member) starts a conversation with a liaison of
 * another member from the liaison directory; that liaison logs in, sees the unread badge, opens the
 * conversation and replies. Pages are checked with axe along the way.
 */
import type { Page } from 'playwright-core';
import { ORGANIZER } from '../helpers/app';
import { describeBrowser, accessibilityChecker, browserSuite } from '../helpers/browser';
import { makeUser, type MadeUser } from '../helpers/factories';

describeBrowser('liaison messaging in the browser', () => {
  const suite = browserSuite();
  let official: MadeUser;
  let peer: MadeUser;

  beforeAll(async () => {
    official = await makeUser({ role: 'liaison', member: 'DE', name: 'Greta Official', agency: 'Federal Ministry for Economic Affairs' });
    peer = await makeUser({ role: 'liaison', member: 'CN', name: 'Li Wei', agency: 'Ministry of Industry and Information Technology', language: 'zh-CN' });
  }, 60_000);

  async function logIn(page: Page, user: { email: string; password: string }): Promise<void> {
    await page.goto(`${suite.baseUrl}/login`);
    await page.fill('#f-email', user.email);
    await page.fill('#f-password', user.password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/login"] button[type=submit]')]);
  }

  const expectAccessible = accessibilityChecker('messages', { allImpacts: true });

  test('an official writes to a liaison of another member, who sees the badge, opens it and replies', async () => {
    const ctxA = await suite.browser.newContext();
    const pageA = await ctxA.newPage();
    await logIn(pageA, official);

    // From the directory, the "write" link next to the other member's liaison.
    await pageA.goto(`${suite.baseUrl}/messages/liaisons`);
    await expectAccessible(pageA, 'directory');
    const row = pageA.locator('tr', { hasText: 'Li Wei' });
    await expect(row.textContent()).resolves.toContain('Ministry of Industry and Information Technology');
    await Promise.all([pageA.waitForURL(/\/messages\/new\?to=/), row.getByRole('link', { name: /Write/ }).click()]);
    expect(await pageA.isChecked(`#r-${peer.id}`)).toBe(true);
    await expectAccessible(pageA, 'new');
    await pageA.fill('#f-subject', 'Joint stand in the ASEM hall');
    await pageA.fill('#f-body', 'Dear colleague,\n\nShall our SMEs share a **joint stand** this September?');
    await Promise.all([pageA.waitForURL(/\/messages\/[a-f0-9]{24}$/), pageA.getByRole('button', { name: 'Send' }).click()]);
    await expect(pageA.locator('.flash-success').textContent()).resolves.toContain('Your message was sent.');
    expect(await pageA.locator('.message strong', { hasText: 'joint stand' }).count()).toBe(1);
    const conversationUrl = pageA.url();

    // The other liaison logs in (in Chinese) and sees the badge in the header.
    const ctxB = await suite.browser.newContext({ locale: 'zh-CN' });
    const pageB = await ctxB.newPage();
    await logIn(pageB, peer);
    await pageB.goto(`${suite.baseUrl}/messages?lang=zh-CN`);
    const badge = pageB.locator('.main-nav a[href="/messages"] .badge');
    await expect(badge.textContent()).resolves.toBe('1');
    await expect(pageB.locator('h1').textContent()).resolves.toBe('消息');
    await expectAccessible(pageB, 'inbox');
    await Promise.all([pageB.waitForURL(conversationUrl), pageB.getByRole('link', { name: 'Joint stand in the ASEM hall' }).click()]);
    await expect(pageB.locator('.message-new').count()).resolves.toBe(1);
    expect(await badge.count()).toBe(0); // read on view
    await expectAccessible(pageB, 'conversation');

    // An empty reply is refused beside the field; then a real one goes through.
    await pageB.getByRole('button', { name: '发送回复' }).click();
    await pageB.waitForSelector('#f-body-error');
    await pageB.fill('#f-body', '好的，我们很乐意。Yes, gladly — let us plan it.');
    await Promise.all([pageB.waitForURL(/\/messages\/[a-f0-9]{24}/), pageB.getByRole('button', { name: '发送回复' }).click()]);
    await expect(pageB.locator('.message-mine').last().textContent()).resolves.toContain('Yes, gladly');

    // The official sees the reply counted, then reads it.
    await pageA.goto(`${suite.baseUrl}/messages`);
    await expect(pageA.locator('.main-nav a[href="/messages"] .badge').textContent()).resolves.toBe('1');
    await pageA.getByRole('link', { name: 'Joint stand in the ASEM hall' }).click();
    await expect(pageA.locator('.message-new').textContent()).resolves.toContain('Yes, gladly');

    // Mail went to each in their language, once.
    const mailB = await suite.t.smtp.waitFor((m) => m.to.includes(peer.email));
    expect(mailB.subject).toContain('新消息');
    await suite.t.smtp.waitFor((m) => m.to.includes(official.email));
    await ctxA.close();
    await ctxB.close();
  }, 90_000);

  test('the organizer announces to the liaisons of one member, a liaison acknowledges, the organizer reminds the other', async () => {
    const second = await makeUser({ role: 'liaison', member: 'DE', name: 'Hans Second' });
    const ctxO = await suite.browser.newContext();
    const pageO = await ctxO.newPage();
    await logIn(pageO, ORGANIZER);
    await pageO.goto(`${suite.baseUrl}/admin/announcements/new`);
    await expectAccessible(pageO, 'admin-new');
    await pageO.fill('#f-subject', 'Booth quota for Germany');
    await pageO.fill('#f-body', 'Germany has **12 booths** in the ASEM hall this year.');
    await pageO.check('#aud-members');
    await pageO.selectOption('#f-members', ['DE']);
    await Promise.all([pageO.waitForURL(/\/admin\/announcements\/[a-f0-9]{24}$/), pageO.getByRole('button', { name: 'Send announcement' }).click()]);
    await expect(pageO.locator('h2').first().textContent()).resolves.toContain('0 of 2 acknowledged');
    await expectAccessible(pageO, 'admin-show');
    const statusUrl = pageO.url();

    const ctxL = await suite.browser.newContext();
    const pageL = await ctxL.newPage();
    await logIn(pageL, official);
    await pageL.goto(`${suite.baseUrl}/messages`);
    await expect(pageL.locator('.main-nav a[href="/messages"] .badge').textContent()).resolves.toBe('1');
    await pageL.getByRole('link', { name: 'Booth quota for Germany' }).click();
    await expectAccessible(pageL, 'announcement');
    await pageL.getByRole('button', { name: /acknowledge/ }).click();
    await pageL.waitForSelector('.flash-success');
    expect(await pageL.locator('.main-nav a[href="/messages"] .badge').count()).toBe(0);

    await pageO.goto(statusUrl);
    await expect(pageO.locator('.acknowledged-table').textContent()).resolves.toContain('Greta Official');
    await expect(pageO.locator('.pending-table').textContent()).resolves.toContain('Hans Second');
    await suite.t.ctx.mailer.drained();
    suite.t.smtp.clear();
    await pageO.getByRole('button', { name: /Remind the 1 liaison/ }).click();
    await pageO.waitForSelector('.flash-success');
    await suite.t.smtp.waitFor((m) => m.to.includes(second.email) && m.subject.startsWith('Reminder'));
    await suite.t.ctx.mailer.drained();
    expect(suite.t.smtp.to(official.email)).toHaveLength(0);
    await ctxO.close();
    await ctxL.close();
  }, 90_000);
});
