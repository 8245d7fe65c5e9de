/**
 * In the browser: the organizer finds a registered person, designates them liaison official of
 * their ASEM member, and the member page then lists them; the organizer pages pass axe (no
 * serious or critical violations).
 */
import type { Page } from 'playwright-core';
import { ORGANIZER } from '../helpers/app';
import { describeBrowser, accessibilityChecker, browserSuite } from '../helpers/browser';
import { makeUser } from '../helpers/factories';

describeBrowser('the organizer designates a liaison in the browser', () => {
  const suite = browserSuite();

  const expectAccessible = accessibilityChecker('accounts-admin');

  test('search → user page → designate → listed under the member; audit log shows it', async () => {
    const person = await makeUser({ member: 'ID', name: 'Dewi Lestari', language: 'zh-CN' });
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${suite.baseUrl}/login?lang=en`);
    await page.fill('#f-email', ORGANIZER.email);
    await page.fill('#f-password', ORGANIZER.password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/login"] button[type=submit]')]);

    await page.goto(`${suite.baseUrl}/admin`);
    await expectAccessible(page, 'dashboard');
    await Promise.all([page.waitForLoadState('load'), page.click('.admin-nav a[href="/admin/users"]')]);
    await page.fill('#f-q', 'Dewi');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/admin/users"] button[type=submit]')]);
    await expectAccessible(page, 'users');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: 'Dewi Lestari' }).click()]);
    expect(new URL(page.url()).pathname).toBe(`/admin/users/${person.id}`);
    await expectAccessible(page, 'user');

    await page.selectOption('#f-member', 'ID');
    await page.fill('#f-agency', 'Ministry of Cooperatives and SMEs');
    await page.fill('#f-languages', 'Bahasa Indonesia, English');
    await Promise.all([page.waitForLoadState('load'), page.click(`form[action="/admin/users/${person.id}/liaison"] button[type=submit]`)]);
    expect(await page.textContent('.flashes')).toContain('The liaison designation has been saved.');
    await suite.t.smtp.waitFor((m) => m.to.includes(person.email) && m.subject.includes('联络官'));

    await page.goto(`${suite.baseUrl}/members/ID`);
    const liaisons = await page.textContent('#h-liaisons + ul');
    expect(liaisons).toContain('Dewi Lestari');
    expect(liaisons).toContain('Ministry of Cooperatives and SMEs');
    expect(liaisons).toContain('Bahasa Indonesia, English');

    await page.goto(`${suite.baseUrl}/admin/audit`);
    expect(await page.textContent('.audit-table')).toContain('Designated as liaison');
    await expectAccessible(page, 'audit');
    await page.goto(`${suite.baseUrl}/admin/members`);
    await expectAccessible(page, 'members');
    await context.close();
  }, 300_000);
});
