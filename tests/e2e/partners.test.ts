/**
 * In the browser, in English and Chinese: an SME of Germany completes its partner profile with
 * sectors and a logo and posts a request for a distributor; an SME of Thailand (reading in
 * Chinese) finds it by a Chinese search word and by facets and sends a contact request; the German
 * SME accepts; both exchange messages and see each other's contact details; an SME of France that
 * was not accepted cannot write to either. axe checks every new page.
 */
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describeBrowser, accessibilityChecker, browserSuite, artifactPath } from '../helpers/browser';
import { makeUser, type MadeUser } from '../helpers/factories';
import { writeFileSync } from 'node:fs';

describeBrowser('partners in the browser', () => {
  const suite = browserSuite();
  let de: MadeUser, th: MadeUser, fr: MadeUser;
  const expectAccessible = accessibilityChecker('partners');

  beforeAll(async () => {
    [de, th, fr] = await Promise.all([
      makeUser({ member: 'DE', name: 'Anna Becker', company: { name: 'Rhein Verpackung GmbH' } }),
      makeUser({ member: 'TH', name: 'Somchai Thong', language: 'zh-CN', company: { name: 'Bangkok Distribution Co' } }),
      makeUser({ member: 'FR', name: 'Claire Martin', company: { name: 'Lyon Emballage SARL' } }),
    ]);
  }, 60_000);

  async function logIn(page: Page, user: { email: string; password: string }): Promise<void> {
    await page.goto(`${suite.baseUrl}/login`);
    await page.fill('#f-email', user.email);
    await page.fill('#f-password', user.password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/login"] button[type=submit]')]);
  }

  test('profile, request, search, contact, accept, messages, and a stranger kept out', async () => {
    const logo = artifactPath('partners-logo-upload.png');
    writeFileSync(logo, await sharp({ create: { width: 600, height: 400, channels: 3, background: '#2a6f97' } }).png().toBuffer());

    const ctxDE = await suite.browser.newContext();
    const pageDE = await ctxDE.newPage();
    await logIn(pageDE, de);
    await pageDE.goto(`${suite.baseUrl}/account/partner-profile`);
    await expectAccessible(pageDE, 'profile-form');
    await pageDE.fill('#f-products', 'Verpackungsmaschinen, packaging machines, 包装机械');
    await pageDE.fill('#f-offers', 'Packaging lines for food producers');
    await pageDE.fill('#f-seeks', 'A distributor in South-East Asia');
    await pageDE.selectOption('#f-cooperationTypes', ['trade']);
    await pageDE.selectOption('#f-isic', ['28']);
    await pageDE.selectOption('#f-targetMarkets', ['TH']);
    await pageDE.fill('#f-phone', '+49 221 555 0100');
    await pageDE.setInputFiles('#f-logo', logo);
    await Promise.all([pageDE.waitForURL(/\/account$/), pageDE.getByRole('button', { name: 'Save the partner profile' }).click()]);
    await expect(pageDE.locator('#partner-heading').textContent()).resolves.toContain('Partner profile');

    await pageDE.goto(`${suite.baseUrl}/opportunities/new`);
    await expectAccessible(pageDE, 'opportunity-form');
    await pageDE.selectOption('#f-kind', 'request');
    await pageDE.fill('#f-title', 'Distributor wanted for packaging machines 寻找包装机械经销商');
    await pageDE.fill('#f-description', 'We seek a **distributor** in Thailand.');
    await pageDE.selectOption('#f-cooperationType', 'trade');
    await pageDE.selectOption('#f-isic', ['28']);
    await pageDE.selectOption('#f-targetMarkets', ['TH']);
    await pageDE.fill('#f-expiresOn', new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10));
    await Promise.all([pageDE.waitForURL(/\/opportunities\/[a-f0-9]{24}$/), pageDE.getByRole('button', { name: 'Save' }).click()]);
    await expectAccessible(pageDE, 'opportunity');
    const opportunityUrl = pageDE.url();

    // Thailand reads in Chinese, finds it by a Chinese word, then by facets.
    const ctxTH = await suite.browser.newContext({ locale: 'zh-CN' });
    const pageTH = await ctxTH.newPage();
    await logIn(pageTH, th);
    await pageTH.goto(`${suite.baseUrl}/opportunities?lang=zh-CN&q=${encodeURIComponent('经销商')}`);
    await expect(pageTH.locator('h1').textContent()).resolves.toBe('商机');
    await expect(pageTH.locator('.card-list').textContent()).resolves.toContain('Distributor wanted');
    await expectAccessible(pageTH, 'opportunities-zh');
    await pageTH.goto(`${suite.baseUrl}/companies?lang=zh-CN&q=${encodeURIComponent('包装')}`);
    await expectAccessible(pageTH, 'companies-zh');
    await pageTH.getByRole('link', { name: /28 –/ }).first().click();
    await expect(pageTH.locator('.card-list').textContent()).resolves.toContain('Rhein Verpackung GmbH');
    await pageTH.getByRole('link', { name: 'Rhein Verpackung GmbH' }).click();
    await expectAccessible(pageTH, 'company-zh');
    await expect(pageTH.locator('body').textContent()).resolves.not.toContain('+49 221 555 0100');
    await pageTH.goto(`${opportunityUrl}?lang=zh-CN`);
    await Promise.all([pageTH.waitForURL(/\/contact/), pageTH.getByRole('link', { name: '发送联系请求' }).click()]);
    await expectAccessible(pageTH, 'contact-form-zh');
    await pageTH.fill('#f-message', '我们在泰国分销包装机械。We distribute packaging machines in Thailand.');
    await Promise.all([pageTH.waitForURL(/\/contacts$/), pageTH.getByRole('button', { name: '发送联系请求' }).click()]);
    await expectAccessible(pageTH, 'contacts-zh');

    // Germany sees the badge and accepts.
    await pageDE.goto(`${suite.baseUrl}/contacts`);
    await expect(pageDE.locator('.main-nav a[href="/contacts"] .badge').textContent()).resolves.toBe('1');
    await expectAccessible(pageDE, 'contacts');
    await Promise.all([pageDE.waitForURL(/\/messages\/[a-f0-9]{24}$/), pageDE.getByRole('button', { name: 'Accept' }).click()]);
    const conversationUrl = pageDE.url();
    await pageDE.fill('#f-body', 'Welcome! Let us talk about the Thai market.');
    await Promise.all([pageDE.waitForURL(/\/messages\/[a-f0-9]{24}/), pageDE.locator('form button[type=submit]').last().click()]);

    // Both see each other's contact details; Thailand replies.
    await pageDE.goto(`${suite.baseUrl}/companies/${th.companyId}`);
    await expect(pageDE.locator('.contact-details').textContent()).resolves.toContain(th.email);
    await pageTH.goto(`${suite.baseUrl}/companies/${de.companyId}?lang=zh-CN`);
    await expect(pageTH.locator('.contact-details').textContent()).resolves.toContain('+49 221 555 0100');
    await pageTH.goto(conversationUrl);
    await expect(pageTH.locator('.message-list').textContent()).resolves.toContain('Thai market');
    await pageTH.fill('#f-body', '谢谢！Thank you.');
    await Promise.all([pageTH.waitForURL(/\/messages\/[a-f0-9]{24}/), pageTH.locator('form button[type=submit]').last().click()]);
    await expect(pageTH.locator('.message-mine').last().textContent()).resolves.toContain('Thank you');

    // France was not accepted: it may not write to either.
    const ctxFR = await suite.browser.newContext();
    const pageFR = await ctxFR.newPage();
    await logIn(pageFR, fr);
    for (const target of [de, th]) {
      await pageFR.goto(`${suite.baseUrl}/messages/new?to=${target.id}`);
      expect(await pageFR.locator(`#r-${target.id}`).count()).toBe(0);
    }
    await pageFR.goto(`${suite.baseUrl}/companies/${de.companyId}`);
    await expect(pageFR.locator('body').textContent()).resolves.not.toContain('+49 221 555 0100');
    await ctxDE.close();
    await ctxTH.close();
    await ctxFR.close();
  }, 180_000);
});
