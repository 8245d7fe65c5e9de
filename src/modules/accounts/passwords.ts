/**
 * Password rules: at least 10 characters, not the e-mail address (or its local part), not one of
 * the most common passwords. Each rule answers with a message key for the form.
 */
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

/** The commonest passwords of 10+ characters in public breach lists, and obvious local variants. */
const COMMON_PASSWORDS = new Set([
  '1234567890',
  '0123456789',
  '0987654321',
  '12345678910',
  '123456789a',
  'a123456789',
  '1q2w3e4r5t',
  '1qaz2wsx3edc',
  'qwertyuiop',
  'qwertyuiop123',
  'qwerty1234',
  'qwerty12345',
  'qwerty123456',
  'asdfghjkl1',
  'zxcvbnm123',
  'password12',
  'password123',
  'password1234',
  'password!1',
  'passw0rd123',
  'p@ssw0rd123',
  'iloveyou12',
  'iloveyou123',
  'abcdefghij',
  'abcd123456',
  'abc1234567',
  'aaaaaaaaaa',
  '1111111111',
  '0000000000',
  '5555555555',
  '1234512345',
  '1122334455',
  'welcome123',
  'welcome1234',
  'changeme123',
  'letmein123',
  'football123',
  'baseball123',
  'sunshine123',
  'princess123',
  'dragon1234',
  'monkey1234',
  'administrator',
  'admin12345',
  'admin123456',
  'superman123',
  'trustno1234',
  'starwars123',
  'computer123',
  'michael123',
  'whatever123',
  'asem123456',
  'asemsme123',
  'asem-sme-exchange',
  'woaini1314',
  'woaini520520',
  'a1b2c3d4e5',
  '147258369a',
  '1234567890a',
  'qazwsxedcrfv',
]);

export function isCommonPassword(password: string): boolean {
  const p = password.toLowerCase();
  return COMMON_PASSWORDS.has(p) || /^(.)\1+$/.test(p) || /^(0123456789|1234567890)+$/.test(p);
}

/** The first rule the password breaks, as a message key, or null when it is acceptable. */
export function passwordProblem(password: string, email: string | undefined): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return 'accounts:password.tooShort';
  if (password.length > MAX_PASSWORD_LENGTH) return 'accounts:password.tooLong';
  const p = password.trim().toLowerCase();
  if (email) {
    const e = email.trim().toLowerCase();
    const local = e.split('@')[0] ?? '';
    if (p === e || (local.length >= 4 && p === local)) return 'accounts:password.isEmail';
  }
  if (isCommonPassword(password)) return 'accounts:password.common';
  return null;
}
