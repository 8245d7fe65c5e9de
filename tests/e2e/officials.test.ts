/**
 * In the browser, in English and Chinese: the organizer creates a Senior Officials' Meeting and
 * uploads a draft agenda; a liaison of Malaysia (in Chinese) registers a delegation of two and
 * comments on the draft; the organizer uploads v2 and publishes it; an SME never sees the draft;
 * each role's desk shows the right items and empties as they are done; the organizer edits the
 * meeting to give it times. axe on every new page.
 */
import type { Page } from 'playwright-core';
import { ORGANIZER } from '../helpers/app';
import { describeBrowser, accessibilityChecker, browserSuite } from '../helpers/browser';
import { makeUser, type MadeUser } from '../helpers/factories';
import { pdfBytes } from '../fixtures/files';

describeBrowser("the officials' mechanism in the browser", () => {
  const suite = browserSuite();
  let liaison: MadeUser;
  let sme: MadeUser;

  beforeAll(async () => {
    liaison = await makeUser({ role: 'liaison', member: 'MY', name: 'Aminah Hassan', company: false, language: 'zh-CN' });
    sme = await makeUser({ role: 'member', member: 'MY', name: 'Tan SME' });
  }, 60_000);

  async function logIn(page: Page, user: { email: string; password: string }): Promise<void> {
    await page.goto(`${suite.baseUrl}/login`);
    await page.fill('#f-email', user.email);
    await page.fill('#f-password', user.password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/login"] button[type=submit]')]);
  }

  const expectAccessible = accessibilityChecker('officials');

  test('a meeting prepared from draft to published, with every desk', async () => {
    const org = await (await suite.browser.newContext()).newPage();
    await logIn(org, ORGANIZER);
    expect(new URL(org.url()).pathname).toBe('/desk');
    await expectAccessible(org, 'desk-organizer-empty');

    // The organizer creates the meeting.
    await org.goto(`${suite.baseUrl}/events/new`);
    await expectAccessible(org, 'event-new');
    await org.selectOption('#f-kind', 'som');
    await org.fill('#f-titleEn', "Senior Officials' Meeting 2027");
    await org.fill('#f-titleZh', '2027年高官会议');
    await org.fill('#f-startsOn', '2027-04-10');
    await org.fill('#f-endsOn', '2027-04-11');
    await org.selectOption('#f-timeZone', 'Asia/Singapore');
    await org.selectOption('#f-hostMember', 'MY');
    await org.fill('#f-city', 'Kuala Lumpur');
    await org.selectOption('#f-visibility', 'officials');
    await org.fill('#f-delegationDeadline', '2027-03-20');
    await Promise.all([org.waitForURL(/\/events\/[a-f0-9]{24}$/), org.getByRole('button', { name: 'Create the event' }).click()]);
    const eventUrl = org.url();
    await expectAccessible(org, 'event');

    // ...edits it: times in the venue's zone, shown on the event page.
    await Promise.all([org.waitForURL(/\/edit$/), org.getByRole('link', { name: 'Edit the event' }).click()]);
    await expectAccessible(org, 'event-edit');
    await org.fill('#f-startTime', '09:30');
    await org.fill('#f-endTime', '17:00');
    await Promise.all([org.waitForURL(/\/events\/[a-f0-9]{24}$/), org.getByRole('button', { name: 'Save the changes' }).click()]);
    expect(await org.textContent('.fair-facts')).toContain('09:30');
    expect(await org.textContent('.fair-facts')).toContain('Asia/Singapore');

    // ...and uploads the draft agenda.
    await org.goto(`${eventUrl}/documents`);
    await org.selectOption('#f-kind', 'agenda');
    await org.fill('#f-title', 'Draft agenda');
    await org.fill('#f-commentDeadline', '2027-03-25');
    await org.setInputFiles('#f-file', { name: 'agenda-v1.pdf', mimeType: 'application/pdf', buffer: pdfBytes() });
    await Promise.all([org.waitForURL(/\/documents\/[a-f0-9]{24}$/), org.getByRole('button', { name: 'Upload' }).click()]);
    const docUrl = org.url();
    await expectAccessible(org, 'document');
    await org.goto(`${suite.baseUrl}/desk`);
    await expect(org.locator('tr[data-kind="events.delegationsMissing"]').textContent()).resolves.toContain('45 members');

    // The SME never sees the draft.
    const smePage = await (await suite.browser.newContext()).newPage();
    await logIn(smePage, sme);
    for (const url of [eventUrl, `${eventUrl}/documents`, docUrl, `${docUrl}/v/1`]) {
      const res = await smePage.goto(url);
      expect(res?.status()).toBe(404);
    }

    // The liaison of Malaysia, in Chinese: the desk shows the delegation and the comment due.
    const lia = await (await suite.browser.newContext({ locale: 'zh-CN' })).newPage();
    await logIn(lia, liaison);
    await lia.goto(`${suite.baseUrl}/desk?lang=zh-CN`);
    await expect(lia.locator('h1').textContent()).resolves.toBe('我的待办');
    await expect(lia.locator('.main-nav a[href="/desk"] .badge').textContent()).resolves.toBe('2');
    await expectAccessible(lia, 'desk-liaison');
    await Promise.all([lia.waitForURL(/\/delegations$/), lia.locator('tr[data-kind="events.delegation"] a').click()]);
    await expectAccessible(lia, 'delegation-form');
    await lia.locator('input[name="delegateName"]').nth(0).fill('Aminah Hassan');
    await lia.locator('input[name="delegateTitle"]').nth(0).fill('副秘书长');
    await lia.locator('input[name="delegateName"]').nth(1).fill('Lim Wei Ming');
    await lia.fill('#f-arrival', '2027-04-09');
    await lia.fill('#f-departure', '2027-04-12');
    await Promise.all([lia.waitForURL(/\/delegations$/), lia.getByRole('button', { name: '保存代表团' }).click()]);
    await expect(lia.locator('.flash-success').textContent()).resolves.toContain('代表团已保存');

    await lia.goto(docUrl);
    await lia.fill('#body-1', 'Please add an item on SME finance. 建议增加中小企业融资议题。');
    await Promise.all([lia.waitForURL(/#v1$/), lia.getByRole('button', { name: '提交意见' }).click()]);
    await lia.goto(`${suite.baseUrl}/desk`);
    await expect(lia.locator('.desk-table').count()).resolves.toBe(0); // the desk is empty
    expect(await lia.locator('.main-nav a[href="/desk"] .badge').count()).toBe(0);

    // The organizer sees the delegation, uploads v2 and publishes it.
    await org.goto(`${eventUrl}/delegations`);
    await expectAccessible(org, 'delegations');
    await expect(org.locator('tr', { hasText: 'Lim Wei Ming' }).count()).resolves.toBe(1);
    await org.goto(docUrl);
    await org.fill('#f-note', 'SME finance added after the comments.');
    await org.setInputFiles('#f-file', { name: 'agenda-v2.pdf', mimeType: 'application/pdf', buffer: pdfBytes() });
    await Promise.all([org.waitForURL(docUrl), org.getByRole('button', { name: 'Upload' }).click()]);
    await expect(org.locator('#v2').count()).resolves.toBe(1);
    await org.selectOption('#f-version', '2');
    await org.fill('#f-summary', 'The agreed agenda of the 2027 SOM.');
    await Promise.all([org.waitForURL(docUrl), org.getByRole('button', { name: 'Publish', exact: true }).click()]);
    await expect(org.locator('.flash-success').textContent()).resolves.toContain('Version 2 is now public');

    // Published: the library has it; the SME still sees no draft.
    expect((await smePage.goto(`${docUrl}/v/1`))?.status()).toBe(404);
    await smePage.goto(`${suite.baseUrl}/practices?lang=en`);
    await expect(smePage.getByRole('link', { name: 'Draft agenda' }).count()).resolves.toBe(1);

    // The calendar and the figures pass axe too.
    await org.goto(`${suite.baseUrl}/events`);
    await expectAccessible(org, 'events');
    await org.goto(`${suite.baseUrl}/admin/figures`);
    await expectAccessible(org, 'figures');
    await org.goto(`${suite.baseUrl}/admin/figures?lang=zh-CN`);
    await expect(org.locator('h1').textContent()).resolves.toBe('统计数据');
    await expectAccessible(org, 'figures-zh');
  }, 180_000);
});
