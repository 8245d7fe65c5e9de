/**
 * In the browser: the personal agenda (English and Chinese), its A4 print with a page per day,
 * the outcome form, the liaison's view and the organizer's grid pass axe.
 */
import type { Page } from 'playwright-core';
import { ORGANIZER } from '../helpers/app';
import { describeBrowser, accessibilityChecker, browserSuite } from '../helpers/browser';
import { makeUser } from '../helpers/factories';
import type { MeetingDoc } from '../../src/modules/meetings/model';
import { DAY1, DAY2, meeting, participant, sessions, type Person } from '../integration/meetings/agenda-fixtures';

describeBrowser('meetings at the hall: agenda, outcome, grid', () => {
  const suite = browserSuite();
  const expectAccessible = accessibilityChecker('agenda');

  async function signIn(email: string, password: string, lang: 'en' | 'zh-CN'): Promise<Page> {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${suite.baseUrl}/login?lang=${lang}`);
    await page.fill('#f-email', email);
    await page.fill('#f-password', password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/login"] button[type=submit]')]);
    return page;
  }

  let visitor: Person;
  let exhibitor: Person;
  let first: MeetingDoc;
  let page: Page;
  beforeAll(async () => {
    const settings = await sessions({ timeZone: 'Asia/Shanghai', tableCount: 10 });
    visitor = await participant(settings, { member: 'DE', language: 'en', company: 'Berliner Werkzeug GmbH' });
    exhibitor = await participant(settings, { member: 'TH', language: 'zh-CN', company: '暹罗陶瓷有限公司', kind: 'exhibitor', booth: 'A12' });
    first = await meeting(settings, visitor, exhibitor, { day: DAY1, time: '10:00', table: 3 });
    await meeting(settings, exhibitor, visitor, { day: DAY2, time: '11:00', booth: 'A12' });
  }, 60_000);
  afterAll(() => suite.t.setNow(null));

  test('the agenda in English and Chinese, printed on A4 with a page per day', async () => {
    page = await signIn(visitor.email, visitor.password, 'en');
    await page.goto(`${suite.baseUrl}/fair/agenda`);
    expect(await page.textContent(`tr[data-meeting="${String(first._id)}"]`)).toContain('Table 3');
    await expectAccessible(page, 'agenda-en');
    // On paper: A4, one page per meeting day.
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)).toHaveLength(2);
    await page.emulateMedia({ media: 'screen' });

    const zh = await signIn(exhibitor.email, exhibitor.password, 'zh-CN');
    await zh.goto(`${suite.baseUrl}/fair/agenda`);
    expect(await zh.textContent('h1')).toBe('我的洽谈日程');
    await expectAccessible(zh, 'agenda-zh');
  }, 240_000);

  test('the outcome form after the meeting', async () => {

    // After the meeting: the outcome form, empty and with errors.
    suite.t.setNow(new Date(first.endsAt.getTime() + 3600_000));
    await page.goto(`${suite.baseUrl}/fair/agenda/${String(first._id)}/outcome`);
    await expectAccessible(page, 'outcome');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action$="/outcome"] button[type=submit]')]);
    expect(await page.textContent('.error-summary')).toContain('Say whether the meeting took place');
    await expectAccessible(page, 'outcome-errors');
    await page.check('#f-tookPlace');
    await page.check('input[name=followUp][value=talks]');
    await Promise.all([page.waitForURL((u) => u.pathname === '/fair/agenda'), page.click('form[action$="/outcome"] button[type=submit]')]);
    expect(await page.textContent(`tr[data-meeting="${String(first._id)}"]`)).toContain('Further talks');
    await expectAccessible(page, 'agenda-after');
  }, 240_000);

  test('the liaison\'s view and the organizer\'s grid', async () => {

    const liaison = await makeUser({ role: 'liaison', member: 'DE' });
    const lp = await signIn(liaison.email, liaison.password, 'en');
    await lp.goto(`${suite.baseUrl}/fair/agenda/member`);
    expect(await lp.textContent(`tr[data-meeting="${String(first._id)}"]`)).toContain('Further talks');
    await expectAccessible(lp, 'member');

    const org = await signIn(ORGANIZER.email, ORGANIZER.password, 'en');
    await org.goto(`${suite.baseUrl}/admin/fair/meetings/grid?day=${DAY1}`);
    expect(await org.textContent(`td[data-meeting="${String(first._id)}"]`)).toContain('Berliner Werkzeug GmbH (DE)');
    await expectAccessible(org, 'grid');
    await org.goto(`${suite.baseUrl}/admin/fair/meetings/grid?day=${DAY1}&lang=zh-CN`);
    await expectAccessible(org, 'grid-zh');
  }, 240_000);
});
