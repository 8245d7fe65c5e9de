/**
 * In the browser: the organizer invites a liaison official by e-mail; the official opens the link
 * from the captured e-mail, sets a name and password, lands signed in on the liaison's page, and no
 * company was ever created. The invitation and acceptance pages pass axe.
 */
import { ORGANIZER } from '../helpers/app';
import { describeBrowser, accessibilityChecker, browserSuite } from '../helpers/browser';
import { linkIn } from '../helpers/smtp';
import { Company, User } from '../../src/modules/accounts/model';

describeBrowser('an official invited by e-mail', () => {
  const suite = browserSuite();
  const expectAccessible = accessibilityChecker('officials');

  test('invite → e-mail → set name and password → signed in, no company', async () => {
    const email = `official-${Date.now()}@mofa.example.gov.th`;
    const companiesBefore = await Company.countDocuments({});

    const orgContext = await suite.browser.newContext();
    const org = await orgContext.newPage();
    await org.goto(`${suite.baseUrl}/login?lang=en`);
    await org.fill('#f-email', ORGANIZER.email);
    await org.fill('#f-password', ORGANIZER.password);
    await Promise.all([org.waitForURL((u) => !u.pathname.startsWith('/login')), org.click('form[action="/login"] button[type=submit]')]);
    await org.goto(`${suite.baseUrl}/admin`);
    await Promise.all([org.waitForLoadState('load'), org.click('.admin-nav a[href="/admin/officials"]')]);
    await expectAccessible(org, 'invite-empty');
    await org.fill('#f-email', email);
    await org.fill('#f-name', 'Somchai P.');
    await org.selectOption('#f-member', 'TH');
    await org.fill('#f-agency', 'Office of SMEs Promotion');
    await org.selectOption('#f-language', 'en');
    await Promise.all([org.waitForLoadState('load'), org.click('form[action="/admin/officials"] button[type=submit]')]);
    expect(await org.textContent('.flashes')).toContain(`The invitation has been sent to ${email}.`);
    expect(await org.textContent('#h-pending + .table-wrap')).toContain(email);
    await expectAccessible(org, 'invite-pending');
    await orgContext.close();

    const mail = await suite.t.smtp.waitFor((m) => m.to.includes(email));
    const link = new URL(linkIn(mail, '/invitation'));
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${suite.baseUrl}${link.pathname}${link.search}`);
    expect(await page.textContent('h1')).toContain('Accept your invitation');
    expect(await page.inputValue('#f-name')).toBe('Somchai P.');
    await expectAccessible(page, 'accept');
    await page.fill('#f-name', 'Somchai Prasert');
    await page.fill('#f-password', 'jasmine-river-temple-4');
    await Promise.all([page.waitForURL((u) => u.pathname === '/liaison/requests'), page.click('form[action="/invitation"] button[type=submit]')]);
    expect(await page.textContent('.account-menu')).toContain('Somchai Prasert');
    expect(await page.textContent('.flashes')).toContain('Welcome, Somchai Prasert');

    const user = await User.findOne({ email }).lean();
    expect(user).toMatchObject({ role: 'liaison', member: 'TH', agency: 'Office of SMEs Promotion' });
    expect(user?.company).toBeUndefined();
    expect(await Company.countDocuments({})).toBe(companiesBefore);
    // Listed as the member's liaison, not among its companies.
    await page.goto(`${suite.baseUrl}/members/TH`);
    expect(await page.textContent('#h-liaisons + ul')).toContain('Somchai Prasert');
    await context.close();
  }, 300_000);
});
