/**
 * In the browser: a person registers a company, follows the link in the captured e-mail, logs in,
 * edits the account and finds the company under its ASEM member — once in English and once in
 * Chinese. The register, login, account and members pages are checked with axe along the way
 * (no serious or critical violations).
 */
import type { Page } from 'playwright-core';
import { describeBrowser, accessibilityChecker, browserSuite } from '../helpers/browser';
import { linkIn } from '../helpers/smtp';

describeBrowser('registration through login in the browser', () => {
  const suite = browserSuite();

  const expectAccessible = accessibilityChecker('accounts');

  const cases = [
    {
      lang: 'en',
      name: 'Maria Rossi',
      company: 'Rossi Ceramiche',
      member: 'IT',
      memberName: 'Italy',
      text: { checkEmail: 'Check your e-mail', confirmed: 'Your e-mail address is confirmed', account: 'Your account', saved: 'Your details have been saved.', companies: 'Companies' },
    },
    {
      lang: 'zh-CN',
      name: '李娜',
      company: '景德镇瓷器有限公司',
      member: 'CN',
      memberName: '中国',
      text: { checkEmail: '请查收邮件', confirmed: '您的电子邮箱已确认', account: '我的账户', saved: '您的信息已保存。', companies: '企业' },
    },
  ] as const;

  for (const c of cases) {
    test(`register → confirm → log in → edit → directory (${c.lang})`, async () => {
      const email = `browser-${c.lang.toLowerCase()}-${Date.now()}@example.com`;
      const password = 'porcelain-river-morning-5';
      const context = await suite.browser.newContext();
      const page = await context.newPage();

      // The header's language switcher: a small form, its POST sets the language and comes back.
      await page.goto(`${suite.baseUrl}/register`);
      await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/register' && r.request().method() === 'GET'),
        page.click(`.lang-switch button[value="${c.lang}"]`),
      ]);
      await page.waitForLoadState('load');
      expect(new URL(page.url()).pathname).toBe('/register');
      expect(await page.getAttribute('html', 'lang')).toBe(c.lang);
      await expectAccessible(page, `register-${c.lang}`);

      // A first try with a too-short password: the error sits beside the field and the input stays.
      await page.fill('#f-name', c.name);
      await page.fill('#f-email', email);
      await page.fill('#f-password', 'short');
      await page.selectOption('#f-language', c.lang);
      await page.fill('#f-companyName', c.company);
      await page.selectOption('#f-member', c.member);
      await page.selectOption('#f-sector', 'creative');
      await page.selectOption('#f-size', 'small');
      await page.fill('#f-website', 'https://ceramics.example.com');
      await page.fill('#f-description', 'Hand-painted tableware.');
      await Promise.all([page.waitForLoadState('load'), page.click('form[action="/register"] button[type=submit]')]);
      expect(await page.isVisible('#f-password-error')).toBe(true);
      expect(await page.inputValue('#f-companyName')).toBe(c.company);
      await expectAccessible(page, `register-errors-${c.lang}`);

      await page.fill('#f-password', password);
      await Promise.all([page.waitForLoadState('load'), page.click('form[action="/register"] button[type=submit]')]);
      expect(await page.textContent('h1')).toContain(c.text.checkEmail);

      const mail = await suite.t.smtp.waitFor((m) => m.to.includes(email));
      const link = new URL(linkIn(mail, '/verify-email'));
      await page.goto(`${suite.baseUrl}${link.pathname}${link.search}`);
      await expectAccessible(page, `verify-${c.lang}`);
      await Promise.all([page.waitForURL((u) => u.pathname === '/login'), page.click('form[action="/verify-email"] button[type=submit]')]);
      expect(await page.textContent('.flashes')).toContain(c.text.confirmed);
      await expectAccessible(page, `login-${c.lang}`);

      await page.fill('#f-email', email);
      await page.fill('#f-password', password);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/login"] button[type=submit]')]);

      await page.goto(`${suite.baseUrl}/account`);
      expect(await page.textContent('h1')).toContain(c.text.account);
      await expectAccessible(page, `account-${c.lang}`);
      await page.fill('#h-profile ~ form #f-name', `${c.name} (CEO)`);
      await Promise.all([page.waitForLoadState('load'), page.click('#h-profile ~ form button[type=submit]')]);
      expect(await page.textContent('.flashes')).toContain(c.text.saved);
      expect(await page.inputValue('#h-profile ~ form #f-name')).toBe(`${c.name} (CEO)`);

      await page.goto(`${suite.baseUrl}/members`);
      await expectAccessible(page, `members-${c.lang}`);
      await Promise.all([page.waitForLoadState('load'), page.click(`a[href="/members/${c.member}"]`)]);
      expect(await page.textContent('h1')).toContain(c.memberName);
      expect(await page.textContent('#h-companies')).toContain(c.text.companies);
      await expectAccessible(page, `member-${c.lang}`);
      await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: c.company }).click()]);
      expect(await page.textContent('h1')).toBe(c.company);
      await expectAccessible(page, `company-${c.lang}`);

      await context.close();
    }, 300_000);
  }
});
