/**
 * Password rules and single-use tokens, without the database.
 */
import { passwordProblem, isCommonPassword } from '../../../src/modules/accounts/passwords';
import { hashToken, looksLikeToken, newToken } from '../../../src/modules/accounts/tokens';

describe('passwordProblem', () => {
  test.each([
    ['short', 'a@example.com', 'accounts:password.tooShort'],
    ['x'.repeat(201), 'a@example.com', 'accounts:password.tooLong'],
    ['Founder@Example.com', 'founder@example.com', 'accounts:password.isEmail'],
    ['longfounder', 'longfounder@example.com', 'accounts:password.isEmail'],
    ['Password123', 'a@example.com', 'accounts:password.common'],
    ['1234567890', 'a@example.com', 'accounts:password.common'],
    ['zzzzzzzzzzzz', 'a@example.com', 'accounts:password.common'],
    ['correct-horse-battery-9', 'a@example.com', null],
    ['十个汉字组成的一个密码短语', 'a@example.com', null],
  ])('%s → %s', (password, email, expected) => {
    expect(passwordProblem(password, email)).toBe(expected);
  });

  test('common passwords are matched whatever the case', () => {
    expect(isCommonPassword('QWERTYUIOP')).toBe(true);
    expect(isCommonPassword('harbour-lantern-blue')).toBe(false);
  });
});

describe('tokens', () => {
  test('a new token is random, only its SHA-256 is stored, with the expiry asked for', () => {
    const now = new Date('2026-09-01T00:00:00Z');
    const a = newToken(now, 3600_000);
    const b = newToken(now, 3600_000);
    expect(a.token).not.toBe(b.token);
    expect(looksLikeToken(a.token)).toBe(true);
    expect(a.stored.hash).toBe(hashToken(a.token));
    expect(a.stored.hash).toMatch(/^[a-f0-9]{64}$/);
    expect(a.stored.expiresAt.toISOString()).toBe('2026-09-01T01:00:00.000Z');
  });

  test('anything but a plain token string is not a token', () => {
    expect(looksLikeToken(undefined)).toBe(false);
    expect(looksLikeToken(['a'.repeat(30)])).toBe(false);
    expect(looksLikeToken({ $ne: 'x' })).toBe(false);
    expect(looksLikeToken('short')).toBe(false);
    expect(looksLikeToken('a'.repeat(30) + '"')).toBe(false);
  });
});
