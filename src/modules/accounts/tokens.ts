/**
 * Single-use tokens for e-mail links (verification, password reset, e-mail change). The link carries
 * a random token; only its SHA-256 is stored, so a leaked database cannot be turned into working links.
 */
import { createHash, randomBytes } from 'node:crypto';

export const VERIFICATION_TTL_MS = 24 * 60 * 60 * 1000;
export const RESET_TTL_MS = 60 * 60 * 1000;
export const EMAIL_CHANGE_TTL_MS = 24 * 60 * 60 * 1000;

export interface StoredToken {
  hash: string;
  expiresAt: Date;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(now: Date, ttlMs: number): { token: string; stored: StoredToken } {
  const token = randomBytes(32).toString('base64url');
  return { token, stored: { hash: hashToken(token), expiresAt: new Date(now.getTime() + ttlMs) } };
}

/** Anything else (missing, an array from ?token=a&token=b, an object) is simply not a token. */
export function looksLikeToken(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{20,128}$/.test(value);
}
