/**
 * Account rules that do not belong to a single page: the first organizer, login bookkeeping.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { hashPassword } from '../../web/auth';
import { User } from './model';

/**
 * Creates the first organizer when none exists: from ADMIN_EMAIL/ADMIN_PASSWORD, or — outside
 * production — with a generated password printed once, so a fresh `npm start` can be tried at once.
 */
export async function ensureFirstOrganizer(opts: {
  admin: { email: string; password: string } | undefined;
  isProduction: boolean;
  logger: Logger;
  now: Date;
}): Promise<{ email: string; password: string | null } | null> {
  if (await User.exists({ role: 'organizer' })) return null;
  if (!opts.admin && opts.isProduction) {
    opts.logger.warn('no organizer account exists: set ADMIN_EMAIL and ADMIN_PASSWORD to create one');
    return null;
  }
  const email = opts.admin?.email ?? 'organizer@asem-sme.localhost';
  const password = opts.admin?.password ?? randomBytes(9).toString('base64url');
  const existing = await User.findOne({ email });
  if (existing) {
    // The address is already registered: promote that account rather than taking it over.
    await User.updateOne({ _id: existing._id }, { $set: { role: 'organizer', status: 'active', emailVerifiedAt: existing.emailVerifiedAt ?? opts.now } });
    return { email, password: null };
  }
  await User.create({ email, passwordHash: await hashPassword(password), name: 'Organizer', role: 'organizer', emailVerifiedAt: opts.now, language: 'en' });
  return { email, password: opts.admin ? null : password };
}

export async function recordLogin(userId: string, now: Date): Promise<void> {
  await User.updateOne({ _id: userId }, { $set: { lastLoginAt: now } });
}
