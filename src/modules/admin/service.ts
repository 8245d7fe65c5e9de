/**
 * Organizer work on reference data and the log: ASEM members (with their companies and liaisons
 * counted) and the audit log. Every function checks that the actor is the organizer; every change is
 * followed by its audit entry. Work on accounts (users, liaisons, suspensions) is the accounts module's.
 */
import { assertRole, NotFoundError, ValidationError, isDuplicateKeyError, type Actor, type Clock, type Language } from '../../kernel';
import type { Page } from '../../web/pagination';
import { liaisonCountsByMember, listedCompanyCounts } from '../accounts';
import { addAsemMember as insertAsemMember, findAsemMember, listAsemMembers, renameAsemMember as renameMember, type AsemMemberView } from '../members';
import { auditEntries, recordAudit, type AuditEntryDoc } from '../audit';

/** What the admin service is built from. */
export interface AdminDeps {
  clock: Clock;
}

function assertOrganizer(actor: Actor | undefined): asserts actor is Actor {
  assertRole(actor, 'organizer');
}

/* ------------------------------------------------------------------ ASEM members */

export interface AsemMemberInput {
  code: string;
  nameEn: string;
  nameZh: string;
  region: 'Asia' | 'Europe';
  kind: 'country' | 'organisation';
}

async function listMembersForAdmin(actor: Actor, lang: Language): Promise<(AsemMemberView & { companies: number; liaisons: number })[]> {
  assertOrganizer(actor);
  const [members, counts, liaisons] = await Promise.all([
    listAsemMembers(lang),
    listedCompanyCounts(),
    liaisonCountsByMember(),
  ]);
  return members.map((m) => ({ ...m, companies: counts.get(m.code) ?? 0, liaisons: liaisons.get(m.code) ?? 0 }));
}

/** Adds a partner that joined the meeting later. The code is the unique key. */
async function addAsemMember(deps: AdminDeps, actor: Actor, input: AsemMemberInput): Promise<void> {
  assertOrganizer(actor);
  const now = deps.clock();
  const doc = { code: input.code.toUpperCase(), name: { en: input.nameEn, 'zh-CN': input.nameZh }, region: input.region, kind: input.kind };
  try {
    await insertAsemMember(doc);
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new ValidationError({ code: { key: 'admin:members.codeTaken' } });
    throw err;
  }
  await recordAudit({ actor, action: 'member.add', targetType: 'AsemMember', targetId: doc.code, before: null, after: doc, at: now });
}

async function getAsemMemberForEdit(actor: Actor, code: string): Promise<AsemMemberView> {
  assertOrganizer(actor);
  const member = await findAsemMember(code);
  if (!member) throw new NotFoundError();
  return member;
}

/** Corrects the names of a member; the code, region and kind stay (other records refer to the code). */
async function renameAsemMember(deps: AdminDeps, actor: Actor, code: string, input: { nameEn: string; nameZh: string }): Promise<void> {
  assertOrganizer(actor);
  const now = deps.clock();
  const before = await findAsemMember(code);
  if (!before) throw new NotFoundError();
  const after = await renameMember(before.code, { en: input.nameEn, 'zh-CN': input.nameZh });
  if (!after) throw new NotFoundError();
  await recordAudit({ actor, action: 'member.rename', targetType: 'AsemMember', targetId: before.code, before: { name: before.name }, after: { name: after.name }, at: now });
}

/* ------------------------------------------------------------------ the audit log */

async function listAudit(actor: Actor, filter: { action?: string | undefined }, page: Page): Promise<{ entries: AuditEntryDoc[]; total: number }> {
  assertOrganizer(actor);
  return auditEntries(filter, page);
}

/** The organizer's work on ASEM members and the audit log, built once; actor first in every method. */
export function createAdminService(deps: AdminDeps) {
  return {
    listMembersForAdmin,
    getAsemMemberForEdit,
    listAudit,
    addAsemMember: (actor: Actor, input: AsemMemberInput) => addAsemMember(deps, actor, input),
    renameAsemMember: (actor: Actor, code: string, input: { nameEn: string; nameZh: string }) => renameAsemMember(deps, actor, code, input),
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
