/**
 * Account rules: the first organizer, registration with e-mail verification, password reset, the
 * account page (profile, company, password, e-mail change). Services take plain arguments and the
 * mailer; they never see HTTP. Messages that could reveal whether an address is registered are
 * the same either way: the owner of an address learns about attempts by e-mail instead.
 */
import { randomBytes } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import type { Logger } from 'pino';
import { hashPassword, signedInRecord, verifyPassword } from './auth';
import type { Actor, Clock } from '../../kernel';
import { ConflictError, NotFoundError, ValidationError, isDuplicateKeyError, type FieldErrors } from '../../kernel';
import type { Language } from '../../web/i18n';
import type { MailContent, Mailer, Recipient } from '../../web/mail';
import { isAsemMemberCode } from '../members';
import { Company, User, type CompanyDoc, type UserDoc, type COMPANY_SIZES, type SECTORS } from './model';
import { passwordProblem } from './passwords';
import { createInvitationAcceptance } from './invitations';
import { refreshCompanyTerms } from './partner-profile';
import { EMAIL_CHANGE_TTL_MS, RESET_TTL_MS, VERIFICATION_TTL_MS, hashToken, looksLikeToken, newToken } from './tokens';

const { trusted } = mongoose;

/** What the accounts service is built from, once, at start-up (createAccountsService). */
export interface AccountsDeps {
  mailer: Mailer;
  clock: Clock;
  /** For absolute links in e-mails. */
  baseUrl: string;
}

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

async function recordLogin(deps: AccountsDeps, userId: string): Promise<void> {
  await User.updateOne({ _id: userId }, { $set: { lastLoginAt: deps.clock() } });
}

function recipientOf(user: Pick<UserDoc, 'email' | 'name' | 'language'>): Recipient {
  return { email: user.email, name: user.name, language: (user.language as Language) ?? 'en' };
}

function passwordErrors(password: string, email: string | undefined, field = 'password'): FieldErrors {
  const problem = passwordProblem(password, email);
  return problem ? { [field]: { key: problem } } : {};
}

/* ------------------------------------------------------------------ registration */

export type Sector = (typeof SECTORS)[number];
export type CompanySize = (typeof COMPANY_SIZES)[number];

export interface CompanyInput {
  companyName: string;
  sector: Sector;
  size: CompanySize;
  website?: string | undefined;
  description?: string | undefined;
  products?: string | undefined;
}

export interface RegistrationInput extends CompanyInput {
  name: string;
  email: string;
  password: string;
  language: Language;
  member: string;
}

/** Rules that need the database or several fields; the form schema has checked shapes already. */
export async function registrationProblems(input: Pick<RegistrationInput, 'password' | 'email' | 'member'>): Promise<FieldErrors> {
  const errors: FieldErrors = { ...passwordErrors(input.password, input.email) };
  if (!(await isAsemMemberCode(input.member))) errors.member = { key: 'validation:invalidChoice' };
  return errors;
}

function verificationMail(token: string, baseUrl: string): MailContent {
  return {
    subject: { key: 'accounts:mail.verify.subject' },
    lines: [{ key: 'accounts:mail.verify.intro' }, { key: 'accounts:mail.verify.expiry' }, { key: 'accounts:mail.verify.notYou' }],
    action: { label: { key: 'accounts:mail.verify.action' }, url: `${baseUrl}/verify-email?token=${token}` },
  };
}

async function mailDuplicateRegistration(deps: AccountsDeps, owner: Pick<UserDoc, 'email' | 'name' | 'language'>): Promise<void> {
  await deps.mailer.notify(recipientOf(owner), {
    subject: { key: 'accounts:mail.duplicate.subject' },
    lines: [{ key: 'accounts:mail.duplicate.intro' }, { key: 'accounts:mail.duplicate.whatToDo' }, { key: 'accounts:mail.duplicate.notYou' }],
    action: { label: { key: 'accounts:mail.duplicate.action' }, url: `${deps.baseUrl}/forgot-password` },
  });
}

/**
 * Registers a person and their company, unverified and unlisted, and mails the verification link.
 * An address that is already registered gets a notice instead; the caller cannot tell the difference.
 */
async function registerAccount(deps: AccountsDeps, input: RegistrationInput): Promise<void> {
  const problems = await registrationProblems(input);
  if (Object.keys(problems).length) throw new ValidationError(problems);
  // Hashed in both cases, so a known address does not answer faster than a new one.
  const passwordHash = await hashPassword(input.password);
  const email = input.email.trim().toLowerCase();
  const existing = await User.findOne({ email }, { email: 1, name: 1, language: 1 }).lean<UserDoc>();
  if (existing) return mailDuplicateRegistration(deps, existing);

  const { token, stored } = newToken(deps.clock(), VERIFICATION_TTL_MS);
  const companyId = new Types.ObjectId();
  let userId: Types.ObjectId;
  try {
    const user = await User.create({
      email,
      passwordHash,
      name: input.name,
      language: input.language,
      role: 'member',
      member: input.member,
      company: companyId,
      verification: stored,
    });
    userId = user._id;
  } catch (err) {
    // Two registrations of one address at once: the unique index decides, the loser is a duplicate.
    if (!isDuplicateKeyError(err)) throw err;
    const owner = await User.findOne({ email }, { email: 1, name: 1, language: 1 }).lean<UserDoc>();
    if (owner) await mailDuplicateRegistration(deps, owner);
    return;
  }
  try {
    await Company.create({
      _id: companyId,
      name: input.companyName,
      member: input.member,
      sector: input.sector,
      size: input.size,
      website: input.website,
      description: input.description ?? '',
      products: input.products ?? '',
      owner: userId,
      listed: false,
    });
    await refreshCompanyTerms(companyId);
  } catch (err) {
    // No half-registered account: without its company the person is removed again.
    await User.deleteOne({ _id: userId });
    throw err;
  }
  await deps.mailer.notify({ email, name: input.name, language: input.language }, verificationMail(token, deps.baseUrl));
}

/**
 * Whether a verification link is still good, without using it: following the link shows a page
 * that asks, and only its POST verifies (a GET changes nothing, and mail scanners that open links
 * use up nothing).
 */
async function verificationLinkValid(deps: AccountsDeps, token: unknown): Promise<boolean> {
  if (!looksLikeToken(token)) return false;
  return (await User.exists({ 'verification.hash': hashToken(token), 'verification.expiresAt': trusted({ $gt: deps.clock() }) })) !== null;
}

/** Marks the address verified and lists the company; null when the link is unknown, used or expired. */
async function verifyEmail(deps: AccountsDeps, token: unknown): Promise<{ email: string } | null> {
  if (!looksLikeToken(token)) return null;
  const now = deps.clock();
  const user = await User.findOneAndUpdate(
    { 'verification.hash': hashToken(token), 'verification.expiresAt': trusted({ $gt: now }) },
    { $set: { emailVerifiedAt: now }, $unset: { verification: 1 } },
    { returnDocument: 'after' },
  ).lean<UserDoc>();
  if (!user) return null;
  await Company.updateMany({ owner: user._id, unlisted: trusted({ $ne: true }) }, { $set: { listed: true } });
  return { email: user.email };
}

/** Sends a fresh verification link to an unverified account; silent otherwise. */
async function resendVerification(deps: AccountsDeps, emailInput: string): Promise<void> {
  const email = emailInput.trim().toLowerCase();
  const user = await User.findOne({ email, status: 'active' }).lean<UserDoc>();
  if (!user || user.emailVerifiedAt) return;
  const { token, stored } = newToken(deps.clock(), VERIFICATION_TTL_MS);
  const updated = await User.updateOne({ _id: user._id, emailVerifiedAt: null }, { $set: { verification: stored } });
  if (updated.modifiedCount !== 1) return;
  await deps.mailer.notify(recipientOf(user), verificationMail(token, deps.baseUrl));
}

/* ------------------------------------------------------------------ password reset */

async function requestPasswordReset(deps: AccountsDeps, emailInput: string): Promise<void> {
  const email = emailInput.trim().toLowerCase();
  const user = await User.findOne({ email, status: 'active' }).lean<UserDoc>();
  if (!user) return;
  const { token, stored } = newToken(deps.clock(), RESET_TTL_MS);
  await User.updateOne({ _id: user._id }, { $set: { passwordReset: stored } });
  await deps.mailer.notify(recipientOf(user), {
    subject: { key: 'accounts:mail.reset.subject' },
    lines: [{ key: 'accounts:mail.reset.intro' }, { key: 'accounts:mail.reset.expiry' }, { key: 'accounts:mail.reset.notYou' }],
    action: { label: { key: 'accounts:mail.reset.action' }, url: `${deps.baseUrl}/reset-password?token=${token}` },
  });
}

/** The account a reset link belongs to, when the link is still good. */
async function findPasswordResetUser(deps: AccountsDeps, token: unknown): Promise<UserDoc | null> {
  if (!looksLikeToken(token)) return null;
  const now = deps.clock();
  return User.findOne({ 'passwordReset.hash': hashToken(token), 'passwordReset.expiresAt': trusted({ $gt: now }), status: 'active' }).lean<UserDoc>();
}

/**
 * Sets the new password and ends every session of the account (authVersion). Following the link
 * proves the address too, so an unverified account becomes verified. Null when the link is bad.
 */
async function resetPassword(deps: AccountsDeps, token: unknown, password: string): Promise<{ email: string } | null> {
  const now = deps.clock();
  const user = await findPasswordResetUser(deps, token);
  if (!user) return null;
  const problems = passwordErrors(password, user.email);
  if (Object.keys(problems).length) throw new ValidationError(problems);
  const passwordHash = await hashPassword(password);
  const wasVerified = Boolean(user.emailVerifiedAt);
  const updated = await User.findOneAndUpdate(
    { _id: user._id, 'passwordReset.hash': user.passwordReset!.hash },
    {
      $set: { passwordHash, emailVerifiedAt: user.emailVerifiedAt ?? now },
      $unset: { passwordReset: 1, ...(wasVerified ? {} : { verification: 1 }) },
      $inc: { authVersion: 1 },
    },
    { returnDocument: 'after' },
  ).lean<UserDoc>();
  if (!updated) return null; // used by a concurrent request in the meantime
  if (!wasVerified) await Company.updateMany({ owner: user._id, unlisted: trusted({ $ne: true }) }, { $set: { listed: true } });
  return { email: updated.email };
}

/* ------------------------------------------------------------------ the account page */

export interface AccountView {
  user: UserDoc;
  company: CompanyDoc | null;
}

async function getAccount(actor: Actor): Promise<AccountView> {
  // Read a moment ago by the session's sign-in check when the actor is the request's own.
  const user = signedInRecord(actor) ?? (await User.findById(actor.id).lean<UserDoc>());
  if (!user) throw new NotFoundError();
  const company = user.company ? await Company.findOne({ _id: user.company, owner: user._id }).lean<CompanyDoc>() : null;
  return { user, company };
}

export interface ProfileInput {
  name: string;
  language: Language;
  agency?: string | undefined;
  languages?: string[] | undefined;
}

async function updateProfile(actor: Actor, input: ProfileInput): Promise<void> {
  const set: Record<string, unknown> = { name: input.name, language: input.language };
  // Only liaisons present an agency and working languages in the directory.
  if (actor.role === 'liaison') {
    set.agency = input.agency ?? '';
    set.languages = input.languages ?? [];
  }
  const res = await User.updateOne({ _id: actor.id }, { $set: set });
  if (res.matchedCount !== 1) throw new NotFoundError();
}

async function updateCompany(actor: Actor, input: CompanyInput): Promise<void> {
  if (!actor.companyId) throw new NotFoundError();
  const set: Record<string, unknown> = {
    name: input.companyName,
    sector: input.sector,
    size: input.size,
    description: input.description ?? '',
    products: input.products ?? '',
  };
  const update: Record<string, unknown> = { $set: set };
  if (input.website) set.website = input.website;
  else update.$unset = { website: 1 };
  // Ownership is part of the condition: only the owner's own company can change.
  const res = await Company.updateOne({ _id: actor.companyId, owner: actor.id }, update);
  if (res.matchedCount !== 1) throw new NotFoundError();
  await refreshCompanyTerms(actor.companyId);
}

/** Checks the current password and sets the new one; bumps authVersion so other sessions end. */
async function changePassword(actor: Actor, input: { currentPassword: string; newPassword: string }): Promise<void> {
  const user = await User.findById(actor.id).lean<UserDoc>();
  if (!user) throw new NotFoundError();
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new ValidationError({ currentPassword: { key: 'accounts:password.currentWrong' } });
  }
  const problems = passwordErrors(input.newPassword, user.email, 'newPassword');
  if (Object.keys(problems).length) throw new ValidationError(problems);
  await User.updateOne({ _id: user._id }, { $set: { passwordHash: await hashPassword(input.newPassword) }, $inc: { authVersion: 1 } });
}

/**
 * Starts an e-mail change: the new address gets a link, the old one a notice. The change takes
 * effect only when the link is followed. A new address that belongs to someone else answers the
 * same (that owner is told instead), so the form reveals no accounts.
 */
async function requestEmailChange(deps: AccountsDeps, actor: Actor, input: { newEmail: string; emailPassword: string }): Promise<void> {
  const user = await User.findById(actor.id).lean<UserDoc>();
  if (!user) throw new NotFoundError();
  if (!(await verifyPassword(user.passwordHash, input.emailPassword))) {
    throw new ValidationError({ emailPassword: { key: 'accounts:password.currentWrong' } });
  }
  const newEmail = input.newEmail.trim().toLowerCase();
  if (newEmail === user.email) throw new ValidationError({ newEmail: { key: 'accounts:account.email.same' } });
  const owner = await User.findOne({ email: newEmail }, { email: 1, name: 1, language: 1 }).lean<UserDoc>();
  if (owner) return mailDuplicateRegistration(deps, owner);
  const { token, stored } = newToken(deps.clock(), EMAIL_CHANGE_TTL_MS);
  await User.updateOne({ _id: user._id }, { $set: { pendingEmail: newEmail, emailChange: stored } });
  await deps.mailer.notify(
    { email: newEmail, name: user.name, language: (user.language as Language) ?? 'en' },
    {
      subject: { key: 'accounts:mail.emailChange.subject' },
      lines: [{ key: 'accounts:mail.emailChange.intro' }, { key: 'accounts:mail.emailChange.expiry' }],
      action: { label: { key: 'accounts:mail.emailChange.action' }, url: `${deps.baseUrl}/account/confirm-email?token=${token}` },
    },
  );
  await deps.mailer.notify(recipientOf(user), {
    subject: { key: 'accounts:mail.emailChangeRequested.subject' },
    lines: [{ key: 'accounts:mail.emailChangeRequested.intro', params: { email: newEmail } }, { key: 'accounts:mail.emailChangeRequested.notYou' }],
    action: { label: { key: 'accounts:mail.emailChangeRequested.action' }, url: `${deps.baseUrl}/account` },
  });
}

/** Whether an e-mail change link is still good, without using it (see verificationLinkValid). */
async function emailChangeLinkValid(deps: AccountsDeps, token: unknown): Promise<boolean> {
  if (!looksLikeToken(token)) return false;
  const user = await User.findOne({ 'emailChange.hash': hashToken(token), 'emailChange.expiresAt': trusted({ $gt: deps.clock() }) }, { pendingEmail: 1 }).lean<UserDoc>();
  return !!user?.pendingEmail;
}

/** Follows an e-mail change link: the pending address becomes the login address. */
async function confirmEmailChange(deps: AccountsDeps, token: unknown): Promise<{ email: string } | null> {
  if (!looksLikeToken(token)) return null;
  const user = await User.findOne({ 'emailChange.hash': hashToken(token), 'emailChange.expiresAt': trusted({ $gt: deps.clock() }) }).lean<UserDoc>();
  if (!user || !user.pendingEmail) return null;
  let updated: UserDoc | null;
  try {
    updated = await User.findOneAndUpdate(
      { _id: user._id, 'emailChange.hash': user.emailChange!.hash },
      { $set: { email: user.pendingEmail, emailVerifiedAt: user.emailVerifiedAt ?? deps.clock() }, $unset: { pendingEmail: 1, emailChange: 1 } },
      { returnDocument: 'after' },
    ).lean<UserDoc>();
  } catch (err) {
    // Someone registered the address after the change was requested.
    if (isDuplicateKeyError(err)) throw new ConflictError('accounts:account.email.taken');
    throw err;
  }
  if (!updated) return null;
  await deps.mailer.notify(recipientOf(user), {
    subject: { key: 'accounts:mail.emailChanged.subject' },
    lines: [{ key: 'accounts:mail.emailChanged.intro', params: { email: updated.email } }, { key: 'accounts:mail.emailChanged.notYou' }],
  });
  return { email: updated.email };
}

/**
 * The accounts service, built once at start-up with its dependencies; every method that acts for
 * someone takes the actor first. Routes receive it from the module (module.ts), tests build their own.
 */
export function createAccountsService(deps: AccountsDeps) {
  return {
    ...createInvitationAcceptance(deps),
    registrationProblems,
    register: (input: RegistrationInput) => registerAccount(deps, input),
    verificationLinkValid: (token: unknown) => verificationLinkValid(deps, token),
    verifyEmail: (token: unknown) => verifyEmail(deps, token),
    resendVerification: (email: string) => resendVerification(deps, email),
    requestPasswordReset: (email: string) => requestPasswordReset(deps, email),
    findPasswordResetUser: (token: unknown) => findPasswordResetUser(deps, token),
    resetPassword: (token: unknown, password: string) => resetPassword(deps, token, password),
    recordLogin: (userId: string) => recordLogin(deps, userId),
    getAccount,
    updateProfile,
    updateCompany,
    changePassword,
    requestEmailChange: (actor: Actor, input: { newEmail: string; emailPassword: string }) => requestEmailChange(deps, actor, input),
    emailChangeLinkValid: (token: unknown) => emailChangeLinkValid(deps, token),
    confirmEmailChange: (token: unknown) => confirmEmailChange(deps, token),
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
