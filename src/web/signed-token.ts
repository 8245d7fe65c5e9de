/**
 * Tokens that name one user for one purpose (e.g. a one-click unsubscribe link, RFC 8058): the
 * user's id and an HMAC of purpose and id. Reading checks the signature in constant time and
 * returns the user id, or null for anything else.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

function sign(secret: string, purpose: string, userId: string): string {
  return createHmac('sha256', secret).update(`${purpose}:${userId}`).digest('base64url');
}

export function signUserToken(secret: string, purpose: string, userId: string): string {
  return `${userId}.${sign(secret, purpose, userId)}`;
}

export function readUserToken(secret: string, purpose: string, token: unknown): string | null {
  if (typeof token !== 'string' || token.length > 200) return null;
  const [userId, signature, ...rest] = token.split('.');
  if (rest.length || !userId || !signature || !/^[a-f0-9]{24}$/.test(userId)) return null;
  const expected = Buffer.from(sign(secret, purpose, userId));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return userId;
}
