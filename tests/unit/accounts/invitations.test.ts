/**
 * Invitations of officials in the services: only the organizer invites, resends and revokes; a link
 * is claimed by one conditional update, so two concurrent acceptances create one account; the
 * invitation e-mail goes out in the language the organizer chose.
 */
import { connectTestDb, disconnectTestDb } from '../../helpers/db';
import { makeUser } from '../../helpers/factories';
import { recordingMailer } from '../../helpers/mail';
import { ForbiddenError, type Actor } from '../../../src/kernel';
import { createAccountAdministration, toActor } from '../../../src/modules/accounts';
import { createAccountsService } from '../../../src/modules/accounts/service';
import { Company, Invitation, User, type UserDoc } from '../../../src/modules/accounts/model';
import { seedAsemMembers } from '../../../src/modules/members/service';

jest.setTimeout(30_000);

const { mailer, sent } = recordingMailer();
let now = new Date('2026-07-01T10:00:00Z');
const deps = { mailer, baseUrl: 'https://asem.example', clock: () => now };
const admin = createAccountAdministration(deps);
const accounts = createAccountsService(deps);

let organizer: Actor;
beforeAll(async () => {
  await connectTestDb('unit_invitations');
  await seedAsemMembers();
  organizer = toActor((await User.findById((await makeUser({ role: 'organizer', name: 'Secretariat' })).id).lean<UserDoc>())!);
});
afterAll(async () => {
  await disconnectTestDb();
});

function tokenOfLastMail(): string {
  const url = sent[sent.length - 1]!.content.action!.url;
  return new URL(url).searchParams.get('token')!;
}

test('members and liaisons cannot invite, resend or revoke', async () => {
  for (const role of ['member', 'liaison'] as const) {
    const actor = toActor((await User.findById((await makeUser({ role })).id).lean<UserDoc>())!);
    await expect(admin.inviteOfficial(actor, { email: 'x@example.gov', member: 'DE', language: 'en' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(admin.pendingInvitations(actor)).rejects.toBeInstanceOf(ForbiddenError);
  }
  expect(await Invitation.countDocuments({})).toBe(0);
});

test('the e-mail is in the chosen language; two concurrent acceptances create one account, no company', async () => {
  await admin.inviteOfficial(organizer, { email: 'Official@Example.GOV', member: 'KR', language: 'zh-CN', agency: 'MSS' });
  const mail = sent[sent.length - 1]!;
  expect(mail.to).toMatchObject({ email: 'official@example.gov', language: 'zh-CN' });
  expect(mail.content.action!.url).toMatch(/^https:\/\/asem\.example\/invitation\?token=[\w-]+&lang=zh-CN$/);
  const token = tokenOfLastMail();
  const companies = await Company.countDocuments({});
  const results = await Promise.all([
    accounts.acceptInvitation(token, { name: 'Kim A', password: 'violet-harbour-stone-3' }),
    accounts.acceptInvitation(token, { name: 'Kim B', password: 'violet-harbour-stone-3' }),
  ]);
  expect(results.filter(Boolean)).toHaveLength(1);
  expect(await User.countDocuments({ email: 'official@example.gov' })).toBe(1);
  expect(await Company.countDocuments({})).toBe(companies);
  expect(await accounts.invitationFor(token)).toBeNull();
});

test('the link expires after 7 days exactly', async () => {
  await admin.inviteOfficial(organizer, { email: 'expiry@example.gov', member: 'DE', language: 'en' });
  const token = tokenOfLastMail();
  const sentAt = now;
  now = new Date(sentAt.getTime() + 7 * 24 * 3600 * 1000 - 1000);
  expect(await accounts.invitationFor(token)).toMatchObject({ email: 'expiry@example.gov', member: 'DE' });
  now = new Date(sentAt.getTime() + 7 * 24 * 3600 * 1000);
  expect(await accounts.invitationFor(token)).toBeNull();
  expect(await accounts.acceptInvitation(token, { name: 'Late', password: 'violet-harbour-stone-3' })).toBeNull();
  expect(await User.exists({ email: 'expiry@example.gov' })).toBeNull();
  now = sentAt;
});
