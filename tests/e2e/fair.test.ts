/**
 * The whole booth story in a real browser: a member requests, the liaison endorses, the organizer
 * allocates, the member confirms and sees the booth on the floor plan (screenshot kept).
 */
import type { Page } from 'playwright-core';
import { ORGANIZER } from '../helpers/app';
import { artifactPath, describeBrowser, accessibilityChecker, browserSuite } from '../helpers/browser';
import { makeUser } from '../helpers/factories';

jest.setTimeout(240_000);

describeBrowser('the ASEM hall booth story in the browser', () => {
  const suite = browserSuite();

  beforeAll(async () => {
  });

  const expectAccessible = accessibilityChecker('fair');

  async function signIn(email: string, password: string, lang = 'en'): Promise<Page> {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${suite.baseUrl}/login?lang=${lang}`);
    await page.fill('#f-email', email);
    await page.fill('#f-password', password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('main button[type=submit]')]);
    return page;
  }

  test('member requests, liaison endorses, organizer allocates, member confirms and sees the booth', async () => {
    const member = await makeUser({ role: 'member', member: 'CN', company: { name: 'Lingnan Ceramics 岭南陶瓷' } });
    const liaison = await makeUser({ role: 'liaison', member: 'CN' });

    // The member asks for a booth through the form.
    const m = await signIn(member.email, member.password);
    await m.goto(`${suite.baseUrl}/fair`);
    await Promise.all([m.waitForURL(/requests\/new/), m.click('main a[href="/fair/requests/new"]')]);
    await expectAccessible(m);
    await m.fill('#f-contactName', 'Chen Jing');
    await m.fill('#f-phone', '+86 20 8888 6666');
    await m.fill('#f-products', 'Hand-painted porcelain');
    await m.fill('#f-boothCount', '1');
    await m.fill('#f-wishedCodes', 'B05');
    await Promise.all([m.waitForURL(/\/fair\/requests\/[a-f0-9]{24}$/), m.click('button[value=submit]')]);
    const requestUrl = m.url();
    const requestId = requestUrl.split('/').pop()!;
    await m.waitForSelector('[data-status="submitted"]');

    // The liaison endorses it from the queue, in Chinese.
    const l = await signIn(liaison.email, liaison.password, 'zh-CN');
    await l.goto(`${suite.baseUrl}/liaison/requests`);
    await expectAccessible(l);
    await l.click('text=Lingnan Ceramics 岭南陶瓷');
    await l.fill('#f-note', '推荐该企业参展');
    await Promise.all([l.waitForURL(requestUrl), l.click('button[data-action=endorse]')]);
    await l.waitForSelector('[data-status="endorsed"]');

    // The organizer ticks the wished booth beside the floor plan and approves.
    const o = await signIn(ORGANIZER.email, ORGANIZER.password);
    await o.goto(`${suite.baseUrl}/admin/fair/requests/${requestId}`);
    await expectAccessible(o);
    // The wished booth is picked on the plan itself: a click on the SVG ticks its twin in the list.
    const wishedId = await o.getAttribute('input[name=booths][data-wished="true"]', 'value');
    const onPlan = o.locator(`a.fp-pick[data-booth="${wishedId}"]`);
    expect(await onPlan.getAttribute('role')).toBe('checkbox');
    await onPlan.click();
    expect(await o.isChecked(`#pick-${wishedId}`)).toBe(true);
    expect(await onPlan.getAttribute('aria-checked')).toBe('true');
    // By keyboard: another free booth, focused and toggled with Space twice, ends unticked.
    const other = o.locator('a.fp-pick').nth(0);
    const otherId = await other.getAttribute('data-booth');
    await other.focus();
    await o.keyboard.press('Space');
    expect(await o.isChecked(`#pick-${otherId}`)).toBe(otherId !== wishedId);
    await o.keyboard.press('Space');
    expect(await o.isChecked(`#pick-${otherId}`)).toBe(otherId === wishedId);
    await Promise.all([o.waitForURL(`${suite.baseUrl}/admin/fair/requests/${requestId}`), o.click('button[data-action=approve]')]);
    await o.waitForSelector('[data-status="approved"]');
    expect(await o.textContent('.fair-booths')).toContain('B05');

    // The member confirms and finds the booth on the floor plan.
    await m.goto(requestUrl);
    await Promise.all([m.waitForURL(requestUrl), m.click('button[data-action=confirm]')]);
    await m.waitForSelector('[data-status="confirmed"]');
    await m.click('text=See it on the floor plan');
    const booth = m.locator('g.fp-booth[data-code="B05"]');
    expect(await booth.getAttribute('data-state')).toBe('allocated');
    expect(await booth.locator('rect').first().getAttribute('stroke-dasharray')).toBe('6 3');
    await m.locator('.floor-plan').screenshot({ path: artifactPath('fair-floor-plan.png') });

    // The page is accessible (no serious or critical axe findings).
    await expectAccessible(m);
    const deskLink = await o.locator('main a[href^="/admin/fair/editions/"]').first().getAttribute('href');
    await o.goto(`${suite.baseUrl}${deskLink}/booths`);
    await o.waitForSelector('svg[role=group]');
    await expectAccessible(o);
    await m.context().close();
    await l.context().close();
    await o.context().close();
  });

  test('publishing asks first on a page of its own, and leaves requests open', async () => {
    const o = await signIn(ORGANIZER.email, ORGANIZER.password);
    await o.goto(`${suite.baseUrl}/admin/fair`);
    await Promise.all([o.waitForURL(/\/publish$/), o.click('main a[href$="/publish"]')]);
    expect(await o.textContent('h1')).toBe('Publish the allocation?');
    await expectAccessible(o);
    await Promise.all([o.waitForURL(/\/admin\/fair\/editions\/[a-f0-9]{24}$/), o.click('button[data-action=publish]')]);
    await o.waitForSelector('.status-ok');
    expect(await o.locator('main a[href$="/close"]').count()).toBe(1);
    await Promise.all([o.waitForURL(/\/close$/), o.click('main a[href$="/close"]')]);
    await expectAccessible(o);
    await o.context().close();
  });

  test('on a phone the facts keep their width and the plan zooms', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    await page.goto(`${suite.baseUrl}/fair?lang=en`);
    const widths = { dl: (await page.locator('.fair-facts').boundingBox())!.width, dd: (await page.locator('.fair-facts dd').first().boundingBox())!.width };
    expect(widths.dd / widths.dl).toBeGreaterThan(0.9);
    const svg = page.locator('.fp-scroll svg');
    const before = (await svg.boundingBox())!.width;
    await page.click('[data-zoom=in]');
    await page.click('[data-zoom=in]');
    const after = (await svg.boundingBox())!.width;
    expect(after).toBeGreaterThan(before * 1.5);
    expect(await page.locator('a[href="#plan-table"]').count()).toBe(1);
    await expectAccessible(page);
    await context.close();
  });
});
