/**
 * Organizer work on accounts: figures, user search, liaison designation, suspension. Every function checks that the actor is the organizer;
 * every change is a single conditional update followed by its audit entry and, where a person is
 * affected, an e-mail in that person's language.
 */
import mongoose from 'mongoose';
import { assertRole, objectIdOr404, type Actor, type Clock } from '../../kernel';
import { ConflictError, NotFoundError, ValidationError } from '../../kernel';
import type { Language } from '../../web/i18n';
import type { MailContent, Mailer } from '../../web/mail';
import type { Page } from '../../web/pagination';
import { ROLES, type Role } from '../../kernel';
import { ACCOUNT_STATUS_STAMP, COMPANIES_STAMP, Company, LISTED_COMPANY, User, type CompanyDoc, type UserDoc } from './model';
import { VersionedCache } from '../../web/cache-versions';
import { listedCompanyCounts } from './people';
import { auditView, companyAuditView } from './audit-view';
import { createInvitationAdministration } from './invitations';
import { findAsemMember, listAsemMembers, type AsemMemberView } from '../members';
import { auditHistoryOf, recordAudit, type AuditEntryDoc } from '../audit';

const { trusted } = mongoose;

/** What the organizer's account work is built from (createAccountAdministration). */
export interface AdministrationDeps {
  mailer: Mailer;
  clock: Clock;
  /** For absolute links in e-mails. */
  baseUrl: string;
}

function assertOrganizer(actor: Actor | undefined): asserts actor is Actor {
  assertRole(actor, 'organizer');
}

/**
 * Takes an official's company out of every list and count, and detaches it from the account (an
 * official is no SME: no company, no booth requests). Each change is audited; running it again
 * changes nothing. `actor` is null for the start-up migration.
 */
export async function detachOfficialCompany(actor: Actor | null, user: UserDoc, at: Date): Promise<boolean> {
  let changed = false;
  const companies = await Company.find({ owner: user._id, unlisted: trusted({ $ne: true }) }).lean<CompanyDoc[]>();
  for (const before of companies) {
    const after = await Company.findOneAndUpdate({ _id: before._id, unlisted: trusted({ $ne: true }) }, { $set: { unlisted: true } }, { returnDocument: 'after' }).lean<CompanyDoc>();
    if (!after) continue;
    changed = true;
    await recordAudit({ actor, action: 'company.unlist', targetType: 'Company', targetId: String(before._id), before: companyAuditView(before), after: companyAuditView(after), note: 'official', at });
  }
  if (user.company) {
    const after = await User.findOneAndUpdate({ _id: user._id, company: user.company }, { $unset: { company: 1 } }, { returnDocument: 'after' }).lean<UserDoc>();
    if (after) {
      changed = true;
      await recordAudit({ actor, action: 'official.detach', targetType: 'User', targetId: String(user._id), before: auditView(user), after: auditView(after), at });
    }
  }
  return changed;
}

/**
 * Start-up migration: liaison accounts that registered a placeholder company (before officials were
 * invited) get it unlisted and detached. Idempotent; every change is in the audit log.
 */
export async function migrateOfficialCompanies(at: Date): Promise<number> {
  const owners = await Company.distinct('owner', { unlisted: trusted({ $ne: true }) });
  const liaisons = await User.find({ role: 'liaison', $or: [{ company: trusted({ $exists: true, $ne: null }) }, { _id: trusted({ $in: owners }) }] }).lean<UserDoc[]>();
  let migrated = 0;
  for (const user of liaisons) if (await detachOfficialCompany(null, user, at)) migrated += 1;
  return migrated;
}

async function notify(deps: AdministrationDeps, user: UserDoc, content: MailContent): Promise<void> {
  await deps.mailer.notify({ email: user.email, name: user.name, language: (user.language as Language) ?? 'en' }, content);
}

/* ------------------------------------------------------------------ the dashboard */

export interface DashboardFigures {
  usersByRole: { role: Role; active: number; suspended: number }[];
  pendingVerifications: number;
  companies: { total: number; listed: number };
  companiesByMember: { code: string; name: AsemMemberView['name']; count: number }[];
  liaisonCoverage: { covered: number; members: number };
}

/**
 * The dashboard's counts read every account and company: kept per language until an account or a
 * company changes (any write to either raises a stamp), not counted again on every visit.
 */
const dashboardCache = new VersionedCache<DashboardFigures>([ACCOUNT_STATUS_STAMP, COMPANIES_STAMP], 4);

async function dashboardFigures(actor: Actor, lang: Language): Promise<DashboardFigures> {
  assertOrganizer(actor);
  const figures = await dashboardCache.get(lang, () => countDashboardFigures(lang));
  return structuredClone(figures);
}

async function countDashboardFigures(lang: Language): Promise<DashboardFigures> {
  const [byRoleRows, pendingVerifications, total, listed, counts, members, liaisonMembers] = await Promise.all([
    User.aggregate<{ _id: { role: Role; status: string }; count: number }>([{ $group: { _id: { role: '$role', status: '$status' }, count: { $sum: 1 } } }]),
    User.countDocuments({ emailVerifiedAt: null }),
    // Officials' former placeholder companies are no SMEs: not counted at all.
    Company.countDocuments({ unlisted: trusted({ $ne: true }) }),
    Company.countDocuments({ ...LISTED_COMPANY }),
    listedCompanyCounts(),
    listAsemMembers(lang),
    User.distinct('member', { role: 'liaison', status: 'active' }),
  ]);
  const usersByRole = ROLES.map((role) => ({
    role,
    active: byRoleRows.find((r) => r._id.role === role && r._id.status === 'active')?.count ?? 0,
    suspended: byRoleRows.find((r) => r._id.role === role && r._id.status === 'suspended')?.count ?? 0,
  }));
  const companiesByMember = members
    .map((m) => ({ code: m.code, name: m.name, count: counts.get(m.code) ?? 0 }))
    .filter((m) => m.count > 0)
    .sort((a, b) => b.count - a.count);
  return {
    usersByRole,
    pendingVerifications,
    companies: { total, listed },
    companiesByMember,
    liaisonCoverage: { covered: new Set(liaisonMembers.filter(Boolean)).size, members: members.length },
  };
}

/* ------------------------------------------------------------------ users */

export interface UserSearch {
  q?: string | undefined;
  role?: Role | undefined;
  member?: string | undefined;
  status?: 'active' | 'suspended' | 'unverified' | undefined;
}

export interface UserRow {
  id: string;
  name: string;
  email: string;
  role: Role;
  member: string | null;
  status: string;
  verified: boolean;
  createdAt: Date | null;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function searchUsers(actor: Actor, search: UserSearch, page: Page): Promise<{ users: UserRow[]; total: number }> {
  assertOrganizer(actor);
  const filter: Record<string, unknown> = {};
  if (search.q) {
    const pattern = trusted({ $regex: escapeRegex(search.q.trim()), $options: 'i' });
    filter.$or = [{ name: pattern }, { email: pattern }];
  }
  if (search.role) filter.role = search.role;
  if (search.member) filter.member = search.member.toUpperCase();
  if (search.status === 'unverified') filter.emailVerifiedAt = null;
  else if (search.status) filter.status = search.status;
  const [rows, total] = await Promise.all([
    User.find(filter, { name: 1, email: 1, role: 1, member: 1, status: 1, emailVerifiedAt: 1, createdAt: 1 })
      .sort({ createdAt: -1, _id: -1 })
      .skip(page.skip)
      .limit(page.perPage)
      .lean<UserDoc[]>(),
    User.countDocuments(filter),
  ]);
  return {
    users: rows.map((u) => ({
      id: String(u._id),
      name: u.name,
      email: u.email,
      role: u.role as Role,
      member: u.member ?? null,
      status: u.status,
      verified: Boolean(u.emailVerifiedAt),
      createdAt: (u as { createdAt?: Date }).createdAt ?? null,
    })),
    total,
  };
}

export interface UserDetail {
  user: UserDoc;
  company: CompanyDoc | null;
  member: AsemMemberView | null;
  history: AuditEntryDoc[];
}

async function getUserDetail(actor: Actor, id: unknown): Promise<UserDetail> {
  assertOrganizer(actor);
  const _id = objectIdOr404(id);
  const user = await User.findById(_id).lean<UserDoc>();
  if (!user) throw new NotFoundError();
  const [company, member, history] = await Promise.all([
    // An official's company is set aside (detached, unlisted) but still shown to the organizer.
    user.company ? Company.findById(user.company).lean<CompanyDoc>() : Company.findOne({ owner: _id }).sort({ createdAt: -1 }).lean<CompanyDoc>(),
    user.member ? findAsemMember(user.member) : Promise.resolve(null),
    auditHistoryOf('User', String(_id)),
  ]);
  return { user, company, member, history };
}

export interface LiaisonDesignation {
  member: string;
  agency: string;
  languages: string[];
}

/** Makes a person the liaison official of an ASEM member (or moves a liaison to another member). */
async function designateLiaison(deps: AdministrationDeps, actor: Actor, id: unknown, input: LiaisonDesignation): Promise<void> {
  assertOrganizer(actor);
  const _id = objectIdOr404(id);
  const member = await findAsemMember(input.member);
  if (!member) throw new ValidationError({ member: { key: 'validation:invalidChoice' } });
  const before = await User.findById(_id).lean<UserDoc>();
  if (!before) throw new NotFoundError();
  if (before.role === 'organizer') throw new ConflictError('admin:users.liaison.notOrganizer');
  const after = await User.findOneAndUpdate(
    { _id, role: trusted({ $in: ['member', 'liaison'] }) },
    { $set: { role: 'liaison', member: member.code, agency: input.agency, languages: input.languages } },
    { returnDocument: 'after' },
  ).lean<UserDoc>();
  if (!after) throw new ConflictError('errors:conflict.message');
  await recordAudit({ actor, action: 'liaison.designate', targetType: 'User', targetId: String(_id), before: auditView(before), after: auditView(after), at: deps.clock() });
  await detachOfficialCompany(actor, after, deps.clock());
  await notify(deps, after, {
    subject: { key: 'admin:mail.designated.subject' },
    lines: [
      { key: 'admin:mail.designated.intro', params: { member: member.name[(after.language as Language) ?? 'en'] || member.name.en } },
      { key: 'admin:mail.designated.what' },
    ],
    action: { label: { key: 'admin:mail.designated.action' }, url: `${deps.baseUrl}/liaison/requests` },
  });
}

/** Ends a liaison designation: the person becomes a member again (of their company's ASEM member). */
async function revokeLiaison(deps: AdministrationDeps, actor: Actor, id: unknown): Promise<void> {
  assertOrganizer(actor);
  const _id = objectIdOr404(id);
  const before = await User.findById(_id).lean<UserDoc>();
  if (!before) throw new NotFoundError();
  if (before.role !== 'liaison') throw new ConflictError('admin:users.liaison.notLiaison');
  // The company the person had as an SME representative, set aside while they were an official.
  const company =
    (before.company ? await Company.findOne({ _id: before.company, owner: _id }).lean<CompanyDoc>() : null) ??
    (await Company.findOne({ owner: _id }).sort({ createdAt: -1 }).lean<CompanyDoc>());
  // An invited official has no company to go back to: a member without one is not a thing.
  if (!company) throw new ConflictError('admin:users.liaison.noCompany');
  const after = await User.findOneAndUpdate(
    { _id, role: 'liaison' },
    { $set: { role: 'member', member: company.member, languages: [], company: company._id }, $unset: { agency: 1, title: 1 } },
    { returnDocument: 'after' },
  ).lean<UserDoc>();
  if (!after) throw new ConflictError('errors:conflict.message');
  await recordAudit({ actor, action: 'liaison.revoke', targetType: 'User', targetId: String(_id), before: auditView(before), after: auditView(after), at: deps.clock() });
  if (company.unlisted) {
    const relisted = await Company.findOneAndUpdate({ _id: company._id, unlisted: true }, { $set: { unlisted: false } }, { returnDocument: 'after' }).lean<CompanyDoc>();
    if (relisted) await recordAudit({ actor, action: 'company.relist', targetType: 'Company', targetId: String(company._id), before: companyAuditView(company), after: companyAuditView(relisted), at: deps.clock() });
  }
  await notify(deps, after, { subject: { key: 'admin:mail.revoked.subject' }, lines: [{ key: 'admin:mail.revoked.intro' }] });
}

/** Suspends an account: it cannot log in, and every session it has ends at once (authVersion). */
async function suspendUser(deps: AdministrationDeps, actor: Actor, id: unknown, note: string): Promise<void> {
  assertOrganizer(actor);
  const _id = objectIdOr404(id);
  if (String(_id) === actor.id) throw new ConflictError('admin:users.suspend.notSelf');
  const before = await User.findById(_id).lean<UserDoc>();
  if (!before) throw new NotFoundError();
  const after = await User.findOneAndUpdate({ _id, status: 'active' }, { $set: { status: 'suspended' }, $inc: { authVersion: 1 } }, { returnDocument: 'after' }).lean<UserDoc>();
  if (!after) throw new ConflictError('admin:users.suspend.already');
  await recordAudit({ actor, action: 'user.suspend', targetType: 'User', targetId: String(_id), before: auditView(before), after: auditView(after), note, at: deps.clock() });
  await notify(deps, after, { subject: { key: 'admin:mail.suspended.subject' }, lines: [{ key: 'admin:mail.suspended.intro' }, ...(note ? [{ quote: note }] : []), { key: 'admin:mail.suspended.contact' }] });
}

async function reactivateUser(deps: AdministrationDeps, actor: Actor, id: unknown): Promise<void> {
  assertOrganizer(actor);
  const _id = objectIdOr404(id);
  const before = await User.findById(_id).lean<UserDoc>();
  if (!before) throw new NotFoundError();
  const after = await User.findOneAndUpdate({ _id, status: 'suspended' }, { $set: { status: 'active' } }, { returnDocument: 'after' }).lean<UserDoc>();
  if (!after) throw new ConflictError('admin:users.reactivate.notSuspended');
  await recordAudit({ actor, action: 'user.reactivate', targetType: 'User', targetId: String(_id), before: auditView(before), after: auditView(after), at: deps.clock() });
  await notify(deps, after, {
    subject: { key: 'admin:mail.reactivated.subject' },
    lines: [{ key: 'admin:mail.reactivated.intro' }],
    action: { label: { key: 'admin:mail.reactivated.action' }, url: `${deps.baseUrl}/login` },
  });
}


/** Active liaisons per ASEM member code (the organizer's member list). */
export async function liaisonCountsByMember(): Promise<Map<string, number>> {
  const rows = await User.aggregate<{ _id: string; count: number }>([{ $match: { role: 'liaison', status: 'active' } }, { $group: { _id: '$member', count: { $sum: 1 } } }]);
  return new Map(rows.map((r) => [r._id, r.count]));
}

/** The organizer's work on accounts, built once with its dependencies; actor first in every method. */
export function createAccountAdministration(deps: AdministrationDeps) {
  return {
    ...createInvitationAdministration(deps),
    dashboardFigures,
    searchUsers,
    getUserDetail,
    designateLiaison: (actor: Actor, id: unknown, input: LiaisonDesignation) => designateLiaison(deps, actor, id, input),
    revokeLiaison: (actor: Actor, id: unknown) => revokeLiaison(deps, actor, id),
    suspendUser: (actor: Actor, id: unknown, note: string) => suspendUser(deps, actor, id, note),
    reactivateUser: (actor: Actor, id: unknown) => reactivateUser(deps, actor, id),
  };
}

export type AccountAdministration = ReturnType<typeof createAccountAdministration>;
