/**
 * In the browser, in English and Chinese: the organizer sets up two meeting days with 10 tables; an
 * exhibitor from Thailand (approved booth request, reading in Chinese) and a visitor from Germany
 * register; the visitor requests a meeting, the exhibitor accepts; the organizer's set-up page
 * shows it; both agendas show it (with the print stylesheet), the e-mails carry the invitation, the
 * organizer's grid shows it, and after the fair both record the outcome. axe finds no serious or
 * critical violation on each new page.
 */
import type { Page } from 'playwright-core';
import { Types } from 'mongoose';
import { describeBrowser, accessibilityChecker, browserSuite } from '../helpers/browser';
import { ORGANIZER } from '../helpers/app';
import { makeUser, type MadeUser } from '../helpers/factories';
import { BoothRequest, currentEdition, type FairEditionDoc } from '../../src/modules/fair';
import { Meeting, MeetingParticipant } from '../../src/modules/meetings/model';

describeBrowser('meetings at the hall in the browser', () => {
  const suite = browserSuite();
  let thai: MadeUser, german: MadeUser;
  let edition: FairEditionDoc;
  const expectAccessible = accessibilityChecker('meetings');
  const day = (n: number) => new Date(edition.startsOn.getTime() + n * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    edition = (await currentEdition())!;
    [thai, german] = await Promise.all([
      makeUser({ member: 'TH', name: 'Somchai Thong', language: 'zh-CN', company: { name: 'Siam Rice Export Co' } }),
      makeUser({ member: 'DE', name: 'Anna Becker', company: { name: 'Hamburg Feinkost GmbH' } }),
    ]);
    // The fair state: Thailand's booth request is approved with booth A03.
    await BoothRequest.create({
      edition: edition._id,
      company: new Types.ObjectId(thai.companyId!),
      companyName: 'Siam Rice Export Co',
      member: 'TH',
      requester: new Types.ObjectId(thai.id),
      contactName: 'Somchai Thong',
      phone: '+66 2 555 0199',
      products: 'Jasmine rice',
      boothCount: 1,
      status: 'approved',
      active: true,
      booths: [{ booth: new Types.ObjectId(), code: 'A03' }],
    });
  }, 60_000);

  async function logIn(page: Page, user: { email: string; password: string }): Promise<void> {
    await page.goto(`${suite.baseUrl}/login`);
    await page.fill('#f-email', user.email);
    await page.fill('#f-password', user.password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/login"] button[type=submit]')]);
  }

  test('sessions, registration, request, acceptance; the set-up page, both agendas, the invitations, the grid and both outcomes', async () => {
    // The organizer sets up two meeting days with ten tables.
    const ctxOrg = await suite.browser.newContext();
    const pageOrg = await ctxOrg.newPage();
    ctxOrg.setDefaultTimeout(120_000);
    await logIn(pageOrg, ORGANIZER);
    await pageOrg.goto(`${suite.baseUrl}/admin/fair/meetings`);
    await expectAccessible(pageOrg, 'admin');
    await pageOrg.fill('#f-schedule', `${day(0)} 09:00-12:00 14:00-17:00\n${day(1)} 09:00-12:00`);
    await pageOrg.fill('#f-slotMinutes', '30');
    await pageOrg.fill('#f-breakMinutes', '0');
    await pageOrg.fill('#f-tableCount', '10');
    await pageOrg.fill('#f-areaX', '34');
    await pageOrg.fill('#f-areaY', '2');
    await pageOrg.fill('#f-areaWidth', '10');
    await pageOrg.fill('#f-areaDepth', '8');
    await pageOrg.fill('#f-timeZone', 'Asia/Shanghai');
    await pageOrg.fill('#f-registrationOpensAt', '2026-01-01T09:00');
    await pageOrg.fill('#f-registrationClosesAt', `${day(-1)}T18:00`);
    await pageOrg.fill('#f-dailyCap', '6');
    await Promise.all([pageOrg.waitForURL(/\/admin\/fair\/meetings\?edition=/), pageOrg.getByRole('button', { name: 'Save the sessions' }).click()]);
    await expect(pageOrg.locator('.mp-table').count()).resolves.toBe(10);
    await expectAccessible(pageOrg, 'admin-saved');

    // The visitor from Germany registers for both days.
    const ctxDE = await suite.browser.newContext();
    ctxDE.setDefaultTimeout(120_000);
    const pageDE = await ctxDE.newPage();
    await logIn(pageDE, german);
    await pageDE.goto(`${suite.baseUrl}/fair`);
    await Promise.all([pageDE.waitForURL(/\/fair\/meetings$/), pageDE.getByRole('link', { name: 'Business meetings' }).click()]);
    await expectAccessible(pageDE, 'index');
    await Promise.all([pageDE.waitForURL(/\/fair\/meetings\/register$/), pageDE.getByRole('link', { name: 'Register for the meetings' }).click()]);
    await expectAccessible(pageDE, 'register');
    await pageDE.fill('#f-topics', 'Importing Thai jasmine rice for delicatessen shops');
    await Promise.all([pageDE.waitForURL(/\/fair\/meetings$/), pageDE.getByRole('button', { name: 'Save' }).click()]);
    await pageDE.goto(`${suite.baseUrl}/fair/meetings/unavailable`);
    await expectAccessible(pageDE, 'unavailable');

    // The exhibitor from Thailand, reading in Chinese, takes part automatically and registers its topics.
    const ctxTH = await suite.browser.newContext({ locale: 'zh-CN' });
    ctxTH.setDefaultTimeout(120_000);
    const pageTH = await ctxTH.newPage();
    await logIn(pageTH, thai);
    await pageTH.goto(`${suite.baseUrl}/fair/meetings?lang=zh-CN`);
    await expect(pageTH.locator('h1').textContent()).resolves.toBe('展馆商务洽谈');
    await expectAccessible(pageTH, 'index-zh');
    await pageTH.goto(`${suite.baseUrl}/fair/meetings/register?lang=zh-CN`);
    await expectAccessible(pageTH, 'register-zh');
    await pageTH.fill('#f-topics', '茉莉香米出口 Jasmine rice export');
    await Promise.all([pageTH.waitForURL(/\/fair\/meetings$/), pageTH.getByRole('button', { name: '保存' }).click()]);

    // The visitor finds the exhibitor and requests a meeting in the first free slot.
    await pageDE.goto(`${suite.baseUrl}/fair/meetings?q=Siam`);
    await Promise.all([pageDE.waitForURL(/\/fair\/meetings\/participants\/[a-f0-9]{24}$/), pageDE.getByRole('link', { name: 'Siam Rice Export Co' }).click()]);
    await expectAccessible(pageDE, 'participant');
    await pageDE.locator('form[action$="/request"] input[name="slot"]').first().check();
    await pageDE.fill('#f-message', 'Guten Tag! We would like to discuss rice imports.');
    await Promise.all([pageDE.waitForURL(/\/fair\/meetings\/requests\/[a-f0-9]{24}$/), pageDE.getByRole('button', { name: 'Send the request' }).click()]);
    await expectAccessible(pageDE, 'request');
    const requestUrl = pageDE.url();

    // The exhibitor accepts, in Chinese.
    await pageTH.goto(`${suite.baseUrl}/fair/meetings/requests?lang=zh-CN`);
    await expectAccessible(pageTH, 'requests-zh');
    await pageTH.goto(`${requestUrl}?lang=zh-CN`);
    await expectAccessible(pageTH, 'request-zh');
    await Promise.all([pageTH.waitForURL(/\/fair\/meetings\/requests\/[a-f0-9]{24}$/), pageTH.getByRole('button', { name: '接受并预约' }).click()]);
    await expect(pageTH.locator('.notice.meeting-booked').textContent()).resolves.toContain('1 号桌');
    const ex = (await MeetingParticipant.findOne({ user: new Types.ObjectId(thai.id) }).lean())!;
    expect(await Meeting.countDocuments({ 'sides.participant': ex._id, status: 'booked' })).toBe(1);

    // Both see it among their booked meetings; the organizer's set-up page shows it.
    await pageDE.goto(`${suite.baseUrl}/fair/meetings/requests`);
    await expect(pageDE.locator('.meeting-booked').first().textContent()).resolves.toContain('Table 1');
    await expectAccessible(pageDE, 'requests');
    await pageOrg.goto(`${suite.baseUrl}/admin/fair/meetings`);
    await expect(pageOrg.locator('table').last().textContent()).resolves.toContain('Siam Rice Export Co');
    await expect(pageOrg.locator('table').last().textContent()).resolves.toContain('Hamburg Feinkost GmbH');
    await pageOrg.goto(`${suite.baseUrl}/admin/fair/meetings?lang=zh-CN`);
    await expectAccessible(pageOrg, 'admin-zh');

    // Both agendas show it; the agenda prints with its own stylesheet.
    await pageDE.goto(`${suite.baseUrl}/fair/agenda`);
    await expect(pageDE.locator('main').textContent()).resolves.toContain('Siam Rice Export Co');
    await expect(pageDE.locator('link[rel="stylesheet"][media="print"][href*="agenda-print"]').count()).resolves.toBe(1);
    await expectAccessible(pageDE, 'agenda');
    await pageTH.goto(`${suite.baseUrl}/fair/agenda?lang=zh-CN`);
    await expect(pageTH.locator('main').textContent()).resolves.toContain('Hamburg Feinkost GmbH');
    await expectAccessible(pageTH, 'agenda-zh');

    // The e-mails carry the invitation (an iCalendar request with the meeting's UID).
    const booked = (await Meeting.findOne({ 'sides.participant': ex._id, status: 'booked' }).lean())!;
    for (const email of [german.email, thai.email]) {
      const mail = await suite.t.smtp.waitFor((m) => m.to.includes(email) && m.attachments.some((a) => /METHOD:REQUEST/.test(a.content)));
      expect(mail.attachments.find((a) => /METHOD:REQUEST/.test(a.content))!.content).toContain(booked.uid);
    }

    // The organizer's grid shows it.
    await pageOrg.goto(`${suite.baseUrl}/admin/fair/meetings/grid?day=${booked.day}`);
    await expect(pageOrg.locator(`[data-meeting="${String(booked._id)}"]`).first().textContent()).resolves.toContain('Siam Rice Export Co');
    await expectAccessible(pageOrg, 'grid');

    // After the fair, both record the outcome.
    suite.t.setNow(new Date(edition.endsOn.getTime() + 2 * 86_400_000));
    await pageDE.goto(`${suite.baseUrl}/fair/agenda/${String(booked._id)}/outcome`);
    await expectAccessible(pageDE, 'outcome');
    await pageDE.locator('input[name="tookPlace"][value="yes"]').check();
    await pageDE.locator('input[name="followUp"][value="talks"]').check();
    await pageDE.fill('#f-note', 'Samples ordered.');
    await Promise.all([pageDE.waitForURL(/\/fair\/agenda$/), pageDE.locator('form[action$="/outcome"] button[type=submit]').click()]);
    await pageTH.goto(`${suite.baseUrl}/fair/agenda/${String(booked._id)}/outcome?lang=zh-CN`);
    await expectAccessible(pageTH, 'outcome-zh');
    await pageTH.locator('input[name="tookPlace"][value="yes"]').check();
    await pageTH.locator('input[name="followUp"][value="agreement"]').check();
    await Promise.all([pageTH.waitForURL(/\/fair\/agenda$/), pageTH.locator('form[action$="/outcome"] button[type=submit]').click()]);
    const after = (await Meeting.findById(booked._id).lean())!;
    expect(after.outcomes.map((o) => o.followUp).sort()).toEqual(['agreement', 'talks']);
    suite.t.setNow(null);
    await ctxOrg.close();
    await ctxDE.close();
    await ctxTH.close();
  }, 900_000);
});
