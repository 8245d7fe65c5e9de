/**
 * Officials are invited, not registered: the organizer names an address and an ASEM member (and,
 * optionally, the official's name, title and agency) and picks the language of the e-mail. The link
 * is valid 7 days and used once (only its SHA-256 is stored, as for verification links); following
 * it, the official sets a name and password and has an account — a liaison, with no company.
 *
 * The organizer's side checks the role; the invitee's side answers every bad link (unknown, used,
 * revoked, expired) the same way, so a link reveals nothing about other accounts.
 */
import mongoose, { Types } from 'mongoose';
import { ConflictError, NotFoundError, ValidationError, assertRole, isDuplicateKeyError, objectIdOr404, type Actor, type Clock, type Language } from '../../kernel';
import type { Mailer } from '../../web/mail';
import { findAsemMember } from '../members';
import { recordAudit } from '../audit';
import { hashPassword } from './auth';
import { Invitation, User, type InvitationDoc, type UserDoc } from './model';
import { passwordProblem } from './passwords';
import { hashToken, looksLikeToken, newToken } from './tokens';
import { auditView } from './audit-view';

const { trusted } = mongoose;

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface InvitationDeps {
  mailer: Mailer;
  clock: Clock;
  baseUrl: string;
}

export interface InvitationInput {
  email: string;
  name?: string | undefined;
  member: string;
  agency?: string | undefined;
  title?: string | undefined;
  language: Language;
}

export interface PendingInvitation {
  id: string;
  email: string;
  name: string;
  member: string;
  agency: string;
  title: string;
  language: Language;
  sentAt: Date;
  expiresAt: Date;
  expired: boolean;
}

function invitationAudit(inv: Pick<InvitationDoc, 'email' | 'name' | 'member' | 'agency' | 'title' | 'language'>): Record<string, unknown> {
  return { email: inv.email, name: inv.name ?? '', member: inv.member, agency: inv.agency ?? '', title: inv.title ?? '', language: inv.language };
}

async function mailInvitation(deps: InvitationDeps, inv: Pick<InvitationDoc, 'email' | 'name' | 'member' | 'language'>, token: string, inviter: string): Promise<void> {
  const language: Language = inv.language === 'zh-CN' ? 'zh-CN' : 'en';
  const member = await findAsemMember(inv.member);
  const memberName = member ? member.name[language] || member.name.en : inv.member;
  await deps.mailer.notify(
    { email: inv.email, name: inv.name ?? '', language },
    {
      subject: { key: 'accounts:mail.invitation.subject' },
      lines: [
        { key: 'accounts:mail.invitation.intro', params: { member: memberName, inviter } },
        { key: 'accounts:mail.invitation.what' },
        { key: 'accounts:mail.invitation.expiry' },
        { key: 'accounts:mail.invitation.notYou' },
      ],
      action: { label: { key: 'accounts:mail.invitation.action' }, url: `${deps.baseUrl}/invitation?token=${token}&lang=${language}` },
    },
  );
}

const PENDING = { acceptedAt: null, revokedAt: null };

/** Invites an official. An address that has an account or a pending invitation is refused (the organizer sees every account anyway). */
async function inviteOfficial(deps: InvitationDeps, actor: Actor, input: InvitationInput): Promise<void> {
  assertRole(actor, 'organizer');
  const email = input.email.trim().toLowerCase();
  const member = await findAsemMember(input.member);
  if (!member) throw new ValidationError({ member: { key: 'validation:invalidChoice' } });
  if (await User.exists({ email })) throw new ValidationError({ email: { key: 'admin:officials.emailHasAccount' } });
  if (await Invitation.exists({ email, ...PENDING })) throw new ValidationError({ email: { key: 'admin:officials.alreadyInvited' } });
  const now = deps.clock();
  const { token, stored } = newToken(now, INVITATION_TTL_MS);
  const inv = await Invitation.create({
    email,
    name: input.name ?? '',
    member: member.code,
    agency: input.agency ?? '',
    title: input.title ?? '',
    language: input.language,
    token: stored,
    invitedBy: new Types.ObjectId(actor.id),
    sentAt: now,
  });
  await recordAudit({ actor, action: 'official.invite', targetType: 'Invitation', targetId: String(inv._id), before: null, after: invitationAudit(inv), at: now });
  await mailInvitation(deps, inv, token, actor.name);
}

/** Pending invitations shown per page on /admin/officials. */
export const INVITATIONS_PER_PAGE = 25;

/**
 * One page of the pending invitations, newest first, walking the { sentAt, _id } index and keeping
 * the pending ones (neither accepted nor revoked is null, which no index seeks to). Nothing is
 * counted: one row beyond the page tells whether there is a next one.
 */
async function pendingInvitations(deps: InvitationDeps, actor: Actor, page: { skip: number; perPage: number } = { skip: 0, perPage: INVITATIONS_PER_PAGE }): Promise<{ items: PendingInvitation[]; more: boolean }> {
  assertRole(actor, 'organizer');
  const now = deps.clock();
  const found = await Invitation.find({ ...PENDING }, { email: 1, name: 1, member: 1, agency: 1, title: 1, language: 1, sentAt: 1, 'token.expiresAt': 1 })
    .sort({ sentAt: -1, _id: -1 })
    .skip(page.skip)
    .limit(page.perPage + 1)
    .lean<InvitationDoc[]>();
  const rows = found.slice(0, page.perPage);
  const items = rows.map((r): PendingInvitation => ({
    id: String(r._id),
    email: r.email,
    name: r.name ?? '',
    member: r.member,
    agency: r.agency ?? '',
    title: r.title ?? '',
    language: r.language === 'zh-CN' ? 'zh-CN' : 'en',
    sentAt: r.sentAt,
    expiresAt: r.token?.expiresAt ?? r.sentAt,
    expired: !r.token || r.token.expiresAt <= now,
  }));
  return { items, more: found.length > page.perPage };
}

/** A fresh link (the old one stops working), valid 7 days from now, mailed again. */
async function resendInvitation(deps: InvitationDeps, actor: Actor, id: unknown): Promise<{ email: string }> {
  assertRole(actor, 'organizer');
  const _id = objectIdOr404(id);
  const now = deps.clock();
  const { token, stored } = newToken(now, INVITATION_TTL_MS);
  const inv = await Invitation.findOneAndUpdate({ _id, ...PENDING }, { $set: { token: stored, sentAt: now } }, { returnDocument: 'after' }).lean<InvitationDoc>();
  if (!inv) {
    if (await Invitation.exists({ _id })) throw new ConflictError('admin:officials.notPending');
    throw new NotFoundError();
  }
  await recordAudit({ actor, action: 'official.inviteResend', targetType: 'Invitation', targetId: String(_id), before: null, after: invitationAudit(inv), at: now });
  await mailInvitation(deps, inv, token, actor.name);
  return { email: inv.email };
}

async function revokeInvitation(deps: InvitationDeps, actor: Actor, id: unknown): Promise<{ email: string }> {
  assertRole(actor, 'organizer');
  const _id = objectIdOr404(id);
  const now = deps.clock();
  const inv = await Invitation.findOneAndUpdate({ _id, ...PENDING }, { $set: { revokedAt: now }, $unset: { token: 1 } }, { returnDocument: 'after' }).lean<InvitationDoc>();
  if (!inv) {
    if (await Invitation.exists({ _id })) throw new ConflictError('admin:officials.notPending');
    throw new NotFoundError();
  }
  await recordAudit({ actor, action: 'official.inviteRevoke', targetType: 'Invitation', targetId: String(_id), before: invitationAudit(inv), after: null, at: now });
  return { email: inv.email };
}

/* ------------------------------------------------------------------ the invitee's side */

export interface InvitationView {
  email: string;
  name: string;
  member: string;
  language: Language;
}

async function findUsable(deps: InvitationDeps, token: unknown): Promise<InvitationDoc | null> {
  if (!looksLikeToken(token)) return null;
  return Invitation.findOne({ 'token.hash': hashToken(token), 'token.expiresAt': trusted({ $gt: deps.clock() }), ...PENDING }).lean<InvitationDoc>();
}

/** What the acceptance page shows, when the link is still good (null otherwise, whatever the reason). */
async function invitationFor(deps: InvitationDeps, token: unknown): Promise<InvitationView | null> {
  const inv = await findUsable(deps, token);
  return inv ? { email: inv.email, name: inv.name ?? '', member: inv.member, language: inv.language === 'zh-CN' ? 'zh-CN' : 'en' } : null;
}

/**
 * Uses the link: creates the official's account (verified — the link proves the address — with no
 * company) and returns it to be signed in; null when the link is not (or no longer) good. The
 * invitation is claimed by one conditional update, so a link works once even under concurrent posts.
 */
async function acceptInvitation(deps: InvitationDeps, token: unknown, input: { name: string; password: string }): Promise<UserDoc | null> {
  const inv = await findUsable(deps, token);
  if (!inv) return null;
  const problem = passwordProblem(input.password, inv.email);
  if (problem) throw new ValidationError({ password: { key: problem } });
  const passwordHash = await hashPassword(input.password);
  const now = deps.clock();
  const userId = new Types.ObjectId();
  const claimed = await Invitation.findOneAndUpdate(
    { _id: inv._id, 'token.hash': inv.token!.hash, ...PENDING },
    { $set: { acceptedAt: now, acceptedBy: userId }, $unset: { token: 1 } },
    { returnDocument: 'after' },
  ).lean<InvitationDoc>();
  if (!claimed) return null;
  let user: UserDoc;
  try {
    const created = await User.create({
      _id: userId,
      email: inv.email,
      passwordHash,
      name: input.name,
      language: inv.language,
      role: 'liaison',
      member: inv.member,
      agency: inv.agency || undefined,
      title: inv.title || undefined,
      emailVerifiedAt: now,
    });
    user = created.toObject() as UserDoc;
  } catch (err) {
    // The address got an account after the invitation went out: give the invitation back, unused.
    await Invitation.updateOne({ _id: inv._id, acceptedBy: userId }, { $set: { token: inv.token }, $unset: { acceptedAt: 1, acceptedBy: 1 } });
    if (isDuplicateKeyError(err)) throw new ConflictError('accounts:invitation.emailHasAccount');
    throw err;
  }
  const actor = { id: String(user._id), name: user.name };
  await recordAudit({ actor: { ...actor, role: 'liaison', email: user.email, language: inv.language === 'zh-CN' ? 'zh-CN' : 'en', member: inv.member, companyId: null, createdAt: now }, action: 'official.accept', targetType: 'User', targetId: String(user._id), before: invitationAudit(inv), after: auditView(user), at: now });
  return user;
}

/** The organizer's work on invitations (through the account administration). */
export function createInvitationAdministration(deps: InvitationDeps) {
  return {
    inviteOfficial: (actor: Actor, input: InvitationInput) => inviteOfficial(deps, actor, input),
    pendingInvitations: (actor: Actor, page?: { skip: number; perPage: number }) => pendingInvitations(deps, actor, page),
    resendInvitation: (actor: Actor, id: unknown) => resendInvitation(deps, actor, id),
    revokeInvitation: (actor: Actor, id: unknown) => revokeInvitation(deps, actor, id),
  };
}

/** The invitee's side (through the accounts service). */
export function createInvitationAcceptance(deps: InvitationDeps) {
  return {
    invitationFor: (token: unknown) => invitationFor(deps, token),
    acceptInvitation: (token: unknown, input: { name: string; password: string }) => acceptInvitation(deps, token, input),
  };
}
