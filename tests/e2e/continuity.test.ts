/**
 * Continuity between fairs in a real browser, in English (the organizer) and Chinese (the
 * exhibitor): the organizer starts the next edition from the last one's hall and invites last
 * edition's exhibitors; the returning exhibitor finds its form pre-filled; after the fair it files
 * an outcome report with consent from its desk; the organizer turns it into a practice draft.
 * Every new page is checked with axe.
 */
import { Types } from 'mongoose';
import type { Page } from 'playwright-core';
import { ORGANIZER } from '../helpers/app';
import { accessibilityChecker, browserSuite, describeBrowser } from '../helpers/browser';
import { makeUser } from '../helpers/factories';
import { Booth, BoothRequest, FairEdition, type FairEditionDoc } from '../../src/modules/fair';
import { Practice } from '../../src/modules/practices';

jest.setTimeout(240_000);

describeBrowser('continuity between fairs in the browser', () => {
  const suite = browserSuite();
  const expectAccessible = accessibilityChecker('continuity');

  async function signIn(email: string, password: string, lang: 'en' | 'zh-CN'): Promise<Page> {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${suite.baseUrl}/login?lang=${lang}`);
    await page.fill('#f-email', email);
    await page.fill('#f-password', password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('main button[type=submit]')]);
    return page;
  }

  test('the next edition from the last one’s hall, invitations, a pre-filled form, an outcome report and its practice draft', async () => {
    const last = (await FairEdition.findOne({ code: /^cismef-/ }).lean<FairEditionDoc>())!;
    const year = last.year + 1;
    const exhibitor = await makeUser({ role: 'member', member: 'CN', language: 'zh-CN', company: { name: '岭南漆器有限公司' } });
    await BoothRequest.create({
      edition: last._id,
      company: new Types.ObjectId(exhibitor.companyId!),
      companyName: '岭南漆器有限公司',
      member: 'CN',
      requester: new Types.ObjectId(exhibitor.id),
      contactName: '王芳',
      phone: '+86 20 5555 0101',
      products: '漆器与丝巾',
      boothCount: 2,
      wishedCodes: ['B05'],
      specialNeeds: '一张样品桌',
      status: 'confirmed',
      active: true,
      submittedAt: new Date(),
    });

    // The organizer starts the next edition from the last one: "start from" is ticked already.
    const o = await signIn(ORGANIZER.email, ORGANIZER.password, 'en');
    await o.goto(`${suite.baseUrl}/admin/fair/editions/new`);
    expect(await o.isChecked('#f-copyFrom')).toBe(true);
    await expectAccessible(o, 'new-edition');
    await o.fill('#f-nameEn', `CISMEF ${year}`);
    await o.fill('#f-nameZh', `${year}年中博会`);
    await o.fill('#f-year', String(year));
    await o.fill('#f-startsOn', `${year}-09-15`);
    await o.fill('#f-endsOn', `${year}-09-18`);
    await o.fill('#f-cityEn', 'Guangzhou');
    await o.fill('#f-cityZh', '广州');
    await o.fill('#f-venueEn', 'Canton Fair Complex');
    await o.fill('#f-venueZh', '广交会展馆');
    await o.fill('#f-hallEn', 'Hall for ASEM SMEs Cooperation and Exchange');
    await o.fill('#f-hallZh', '亚欧中小企业合作与交流馆');
    await o.fill('#f-requestOpensAt', new Date(Date.now() - 86_400_000).toISOString().slice(0, 16));
    await o.fill('#f-requestClosesAt', `${year}-08-01T00:00`);
    await o.selectOption('#f-status', 'open');
    await Promise.all([o.waitForURL(/\/admin\/fair\/editions\/[a-f0-9]{24}$/), o.click('main button[type=submit]')]);
    expect(await o.textContent('.flashes')).toContain('60 booths copied into the new hall.');
    const next = (await FairEdition.findOne({ year }).lean<FairEditionDoc>())!;
    expect(await Booth.countDocuments({ edition: next._id })).toBe(60);

    // It invites last edition's exhibitors.
    await Promise.all([o.waitForURL(/\/invite$/), o.click('main a[href$="/invite"]')]);
    await expectAccessible(o, 'invite');
    await Promise.all([o.waitForURL(/\/invite$/), o.click('button[data-action=invite]')]);
    expect(await o.textContent('.flashes')).toContain('1 company invited');
    const mail = await suite.t.smtp.waitFor((m) => m.to.includes(exhibitor.email) && m.subject.includes('展位申请已开放'));
    expect(mail.text).toContain('/fair/requests/new');

    // The returning exhibitor follows the link: its form is filled from last year's request.
    const m = await signIn(exhibitor.email, exhibitor.password, 'zh-CN');
    await m.goto(`${suite.baseUrl}/fair/requests/new`);
    await m.waitForSelector('#prefilled');
    expect(await m.inputValue('#f-contactName')).toBe('王芳');
    expect(await m.inputValue('#f-products')).toBe('漆器与丝巾');
    expect(await m.inputValue('#f-wishedCodes')).toBe('B05');
    await expectAccessible(m, 'prefilled-form');

    // After the fair: the desk asks for the outcome report, in Chinese.
    suite.t.setNow(new Date(last.endsOn.getTime() + 3 * 86_400_000));
    await m.goto(`${suite.baseUrl}/desk`);
    await Promise.all([m.waitForURL(/\/outcome$/), m.click(`main a[href="/fair/editions/${String(last._id)}/outcome"]`)]);
    await expectAccessible(m, 'outcome-form');
    await m.fill('#f-contactsMade', '12');
    await m.fill('#f-deals', '2');
    await m.fill('#f-wentWell', '来自越南和德国的买家很多');
    await m.fill('#f-toImprove', '展馆需要更多英文标识');
    await m.check('#f-consent');
    await Promise.all([m.waitForURL(/\/fair\/outcomes\/[a-f0-9]{24}$/), m.click('main button[type=submit]')]);
    expect(await m.textContent('#o-consent')).toContain('是');
    await expectAccessible(m, 'outcome');
    const reportUrl = new URL(m.url()).pathname;

    // The organizer reads the reports and turns this one into a practice draft.
    await o.goto(`${suite.baseUrl}/admin/fair/editions/${String(last._id)}/outcomes`);
    expect(await o.textContent('#outcome-totals')).toContain('1 report: 12 contacts made, 2 deals.');
    await expectAccessible(o, 'outcomes');
    await Promise.all([o.waitForURL(`${suite.baseUrl}${reportUrl}`), o.click('text=岭南漆器有限公司')]);
    await Promise.all([o.waitForURL(`${suite.baseUrl}${reportUrl}`), o.click('button[data-action=practice]')]);
    await o.waitForSelector('#o-practice');
    await expectAccessible(o, 'report-organizer');
    const practice = (await Practice.findOne({ author: new Types.ObjectId(exhibitor.id) }).lean())!;
    expect(practice.status).toBe('draft');

    // The exhibitor opens its draft from the report.
    await m.goto(`${suite.baseUrl}${reportUrl}`);
    await Promise.all([m.waitForURL(/\/practices\/[a-f0-9]{24}\/edit$/), m.click('#o-practice a')]);
    expect(await m.inputValue('#f-title')).toContain('岭南漆器有限公司');

    suite.t.setNow(null);
    await m.context().close();
    await o.context().close();
  });
});
