/**
 * Organizer services against the database: role checks in the services themselves, liaison
 * designation, suspension, ASEM members, audit entries, figures.
 */
import mongoose from 'mongoose';
import { connectTestDb, disconnectTestDb } from '../../helpers/db';
import { makeUser } from '../../helpers/factories';
import { toActor } from '../../../src/modules/accounts';
import type { Actor } from '../../../src/kernel';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../../src/kernel';
import { User, type UserDoc } from '../../../src/modules/accounts/model';
import { AsemMember } from '../../../src/modules/members/model';
import { seedAsemMembers } from '../../../src/modules/members/service';
import { AuditEntry } from '../../../src/modules/audit/model';
import { createAccountAdministration } from '../../../src/modules/accounts';
import { createAdminService } from '../../../src/modules/admin/service';
import { recordingMailer } from '../../helpers/mail';

jest.setTimeout(30_000);

const { mailer, sent } = recordingMailer();
const NOW = new Date('2026-07-01T10:00:00Z');
const accounts = createAccountAdministration({ mailer, baseUrl: 'https://asem.example', clock: () => NOW });
const admin = createAdminService({ clock: () => NOW });
const page = { page: 1, perPage: 10, skip: 0 };

let organizer: Actor;
async function actorFor(id: string): Promise<Actor> {
  return toActor((await User.findById(id).lean<UserDoc>())!);
}

beforeAll(async () => {
  await connectTestDb('unit_admin');
  await seedAsemMembers();
  organizer = await actorFor((await makeUser({ role: 'organizer', name: 'Secretariat' })).id);
});
afterAll(async () => {
  await disconnectTestDb();
});
beforeEach(() => {
  sent.length = 0;
});

test('every service refuses anyone but the organizer', async () => {
  const member = await actorFor((await makeUser()).id);
  const liaison = await actorFor((await makeUser({ role: 'liaison' })).id);
  for (const who of [member, liaison]) {
    await expect(accounts.dashboardFigures(who, 'en')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(accounts.searchUsers(who, {}, page)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(accounts.designateLiaison(who, who.id, { member: 'DE', agency: 'x', languages: [] })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(accounts.suspendUser(who, who.id, '')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(admin.addAsemMember(who, { code: 'NO', nameEn: 'Norway', nameZh: '挪威', region: 'Europe', kind: 'country' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(admin.listAudit(who, {}, page)).rejects.toBeInstanceOf(ForbiddenError);
  }
  await expect(accounts.searchUsers(undefined as unknown as Actor, {}, page)).rejects.toBeInstanceOf(UnauthenticatedError);
  expect(await User.countDocuments({ role: 'liaison', member: 'DE', agency: 'x' })).toBe(0);
});

test('designate and revoke a liaison: conditional updates, audit before/after, mail in the person’s language', async () => {
  const person = await makeUser({ member: 'IE', language: 'zh-CN' });
  await accounts.designateLiaison(organizer, person.id, { member: 'ie', agency: 'Enterprise Ireland', languages: ['English', 'Gaeilge'] });
  expect(await User.findById(person.id).lean()).toMatchObject({ role: 'liaison', member: 'IE', agency: 'Enterprise Ireland', languages: ['English', 'Gaeilge'] });
  const entry = await AuditEntry.findOne({ action: 'liaison.designate', targetId: person.id }).lean();
  expect(entry).toMatchObject({ actorName: 'Secretariat', at: NOW, before: { role: 'member' }, after: { role: 'liaison', member: 'IE' } });
  expect(JSON.stringify(entry)).not.toContain('passwordHash');
  expect(sent[0]).toMatchObject({ to: { email: person.email, language: 'zh-CN' }, content: { subject: { key: 'admin:mail.designated.subject' } } });
  expect(sent[0]!.content.lines[0]).toEqual({ key: 'admin:mail.designated.intro', params: { member: '爱尔兰' } });

  await expect(accounts.designateLiaison(organizer, person.id, { member: 'XX', agency: 'x', languages: [] })).rejects.toBeInstanceOf(ValidationError);
  await expect(accounts.designateLiaison(organizer, organizer.id, { member: 'IE', agency: 'x', languages: [] })).rejects.toBeInstanceOf(ConflictError);
  await expect(accounts.designateLiaison(organizer, new mongoose.Types.ObjectId().toString(), { member: 'IE', agency: 'x', languages: [] })).rejects.toBeInstanceOf(NotFoundError);

  await accounts.revokeLiaison(organizer, person.id);
  expect(await User.findById(person.id).lean()).toMatchObject({ role: 'member', member: 'IE', languages: [] });
  await expect(accounts.revokeLiaison(organizer, person.id)).rejects.toBeInstanceOf(ConflictError);
});

test('suspension bumps authVersion once, is audited with the note; reactivation reverses it', async () => {
  const person = await makeUser();
  const before = await User.findById(person.id).lean<UserDoc>();
  await accounts.suspendUser(organizer, person.id, 'Repeated spam');
  const after = await User.findById(person.id).lean<UserDoc>();
  expect(after).toMatchObject({ status: 'suspended', authVersion: (before!.authVersion ?? 0) + 1 });
  expect(await AuditEntry.findOne({ action: 'user.suspend', targetId: person.id }).lean()).toMatchObject({ note: 'Repeated spam' });
  expect(sent[0]!.content.lines).toContainEqual({ quote: 'Repeated spam' });
  await expect(accounts.suspendUser(organizer, person.id, '')).rejects.toBeInstanceOf(ConflictError);
  await expect(accounts.suspendUser(organizer, organizer.id, '')).rejects.toBeInstanceOf(ConflictError);
  await accounts.reactivateUser(organizer, person.id);
  expect((await User.findById(person.id).lean())?.status).toBe('active');
  await expect(accounts.reactivateUser(organizer, person.id)).rejects.toBeInstanceOf(ConflictError);
  await expect(accounts.suspendUser(organizer, 'not-an-id', '')).rejects.toBeInstanceOf(NotFoundError);
});

test('ASEM members: a unique code, corrected names, both audited', async () => {
  await admin.addAsemMember(organizer, { code: 'ch', nameEn: 'Switzerland', nameZh: '瑞士', region: 'Europe', kind: 'country' });
  expect(await AsemMember.findOne({ code: 'CH' }).lean()).toMatchObject({ name: { en: 'Switzerland', 'zh-CN': '瑞士' } });
  await expect(admin.addAsemMember(organizer, { code: 'CH', nameEn: 'Again', nameZh: '再', region: 'Europe', kind: 'country' })).rejects.toBeInstanceOf(ValidationError);
  await admin.renameAsemMember(organizer, 'ch', { nameEn: 'Swiss Confederation', nameZh: '瑞士联邦' });
  expect((await AsemMember.findOne({ code: 'CH' }).lean())?.name).toEqual({ en: 'Swiss Confederation', 'zh-CN': '瑞士联邦' });
  await expect(admin.renameAsemMember(organizer, 'QQ', { nameEn: 'x', nameZh: 'y' })).rejects.toBeInstanceOf(NotFoundError);
  const audit = await admin.listAudit(organizer, { action: 'member.' }, page);
  expect(audit.entries.map((e) => e.action).sort()).toEqual(['member.add', 'member.rename']);
});

test('search and figures', async () => {
  await makeUser({ name: 'Findable Fatima', member: 'BN' });
  await makeUser({ member: 'BN', verified: false });
  const found = await accounts.searchUsers(organizer, { q: 'findable' }, page);
  expect(found.users.map((u) => u.name)).toEqual(['Findable Fatima']);
  expect(Object.keys(found.users[0]!)).not.toContain('passwordHash');
  expect((await accounts.searchUsers(organizer, { member: 'BN', status: 'unverified' }, page)).total).toBe(1);
  expect((await accounts.searchUsers(organizer, { q: '(' }, page)).total).toBe(0);
  const figures = await accounts.dashboardFigures(organizer, 'en');
  expect(figures.pendingVerifications).toBeGreaterThanOrEqual(1);
  expect(figures.usersByRole.find((r) => r.role === 'organizer')?.active).toBeGreaterThanOrEqual(1);
  expect(figures.companiesByMember.find((m) => m.code === 'BN')?.count).toBe(1);
});
