/**
 * Account services against the database, with a mailer that records what it is asked to send.
 */
import mongoose from 'mongoose';
import { connectTestDb, disconnectTestDb } from '../../helpers/db';
import { makeUser } from '../../helpers/factories';
import { toActor, verifyPassword } from '../../../src/modules/accounts';
import { ValidationError } from '../../../src/kernel';
import { Company, User, type UserDoc } from '../../../src/modules/accounts/model';
import { createAccountsService, type RegistrationInput } from '../../../src/modules/accounts/service';
import { seedAsemMembers } from '../../../src/modules/members/service';
import { recordingMailer, type SentMail } from '../../helpers/mail';

jest.setTimeout(30_000);

const { mailer, sent } = recordingMailer();
const NOW = new Date('2026-06-01T08:00:00Z');
let clockAt = NOW;
const accounts = createAccountsService({ mailer, baseUrl: 'https://asem.example', clock: () => clockAt });
/** The service as seen at another moment (the clock moves for the calls that follow). */
const at = (when: Date) => {
  clockAt = when;
  return accounts;
};
const tokenFrom = (s: SentMail | undefined) => new URL(s!.content.action!.url).searchParams.get('token')!;

beforeAll(async () => {
  await connectTestDb('unit_accounts');
  await seedAsemMembers();
});
afterAll(async () => {
  await disconnectTestDb();
});
beforeEach(() => {
  sent.length = 0;
  clockAt = NOW;
});

const trustedIn = (values: string[]) => mongoose.trusted({ $in: values });

let n = 0;
function input(overrides: Partial<RegistrationInput> = {}): RegistrationInput {
  n += 1;
  return {
    name: `Person ${n}`,
    email: `person${n}@example.com`,
    password: 'amber-forest-window-3',
    language: 'en',
    companyName: `Company ${n}`,
    member: 'FR',
    sector: 'food',
    size: 'micro',
    ...overrides,
  };
}

describe('registerAccount and verifyEmail', () => {
  test('creates an unverified person with an unlisted company and mails a 24 h link; the link verifies and lists', async () => {
    const data = input({ website: 'https://example.fr' });
    await accounts.register(data);
    const user = await User.findOne({ email: data.email }).lean<UserDoc>();
    expect(user).toMatchObject({ role: 'member', member: 'FR', language: 'en' });
    expect(user!.emailVerifiedAt).toBeFalsy();
    expect(await verifyPassword(user!.passwordHash, data.password)).toBe(true);
    expect(user!.verification!.expiresAt.toISOString()).toBe('2026-06-02T08:00:00.000Z');
    expect(await Company.findOne({ owner: user!._id }).lean()).toMatchObject({ name: data.companyName, listed: false, website: 'https://example.fr' });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toEqual({ email: data.email, name: data.name, language: 'en' });
    expect(sent[0]!.content.action!.url).toMatch(/^https:\/\/asem\.example\/verify-email\?token=/);

    const token = tokenFrom(sent[0]);
    expect(await at(new Date('2026-06-02T08:00:01Z')).verifyEmail(token)).toBeNull(); // expired
    expect(await at(new Date('2026-06-01T20:00:00Z')).verifyEmail(token)).toEqual({ email: data.email });
    expect(await at(new Date('2026-06-01T20:00:00Z')).verifyEmail(token)).toBeNull(); // used
    expect((await Company.findOne({ owner: user!._id }).lean())?.listed).toBe(true);
  });

  test('a known address creates nothing and the owner is told, in their language', async () => {
    const owner = await makeUser({ language: 'zh-CN' });
    await accounts.register(input({ email: owner.email }));
    expect(await User.countDocuments({ email: owner.email })).toBe(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to.language).toBe('zh-CN');
    expect(sent[0]!.content.subject.key).toBe('accounts:mail.duplicate.subject');
  });

  test('rules the form cannot check: password rules and an unknown ASEM member', async () => {
    const bad = input({ password: 'password123', member: 'ZZ' });
    const err = await accounts.register(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors).toEqual({ password: { key: 'accounts:password.common' }, member: { key: 'validation:invalidChoice' } });
    expect(await User.countDocuments({ email: bad.email })).toBe(0);
    expect(sent).toHaveLength(0);
  });

  test('concurrent registrations of one address make one account', async () => {
    const data = input();
    await Promise.all([accounts.register(data), accounts.register({ ...data, companyName: 'Twin' })]);
    expect(await User.countDocuments({ email: data.email })).toBe(1);
    expect(await Company.countDocuments({ name: trustedIn([data.companyName, 'Twin']) })).toBe(1);
  });

  test('resendVerification sends a new link only to unverified accounts', async () => {
    const data = input();
    await accounts.register(data);
    sent.length = 0;
    await accounts.resendVerification(data.email.toUpperCase());
    expect(sent).toHaveLength(1);
    const verified = await makeUser();
    await accounts.resendVerification(verified.email);
    await accounts.resendVerification('unknown@example.com');
    expect(sent).toHaveLength(1);
  });
});

describe('password reset', () => {
  test('a 1 h single-use link sets the password and ends all sessions', async () => {
    const person = await makeUser();
    const before = await User.findById(person.id).lean<UserDoc>();
    await accounts.requestPasswordReset(person.email);
    expect(sent).toHaveLength(1);
    const token = tokenFrom(sent[0]);
    expect(await at(new Date('2026-06-01T09:00:01Z')).resetPassword(token, 'green-valley-sunrise')).toBeNull();
    await expect(at(NOW).resetPassword(token, 'short')).rejects.toBeInstanceOf(ValidationError);
    expect(await at(new Date('2026-06-01T08:30:00Z')).resetPassword(token, 'green-valley-sunrise')).toEqual({ email: person.email });
    const after = await User.findById(person.id).lean<UserDoc>();
    expect(after!.authVersion).toBe((before!.authVersion ?? 0) + 1);
    expect(after!.passwordReset).toBeUndefined();
    expect(await verifyPassword(after!.passwordHash, 'green-valley-sunrise')).toBe(true);
    expect(await at(NOW).resetPassword(token, 'another-valley-sunrise')).toBeNull();
  });

  test('unknown and suspended addresses get nothing', async () => {
    const suspended = await makeUser({ status: 'suspended' });
    await accounts.requestPasswordReset('nobody@example.com');
    await accounts.requestPasswordReset(suspended.email);
    expect(sent).toHaveLength(0);
  });
});

describe('the account page', () => {
  test('updateProfile keeps agency and languages for liaisons only; updateCompany only touches the own company', async () => {
    const member = await makeUser();
    const memberDoc = await User.findById(member.id).lean<UserDoc>();
    await accounts.updateProfile(toActor(memberDoc!), { name: 'New Name', language: 'zh-CN', agency: 'Fake', languages: ['x'] });
    expect(await User.findById(member.id).lean()).toMatchObject({ name: 'New Name', language: 'zh-CN' });
    expect((await User.findById(member.id).lean())?.agency).toBeUndefined();

    await accounts.updateCompany(toActor(memberDoc!), { companyName: 'Renamed', sector: 'ict', size: 'medium', website: undefined, description: 'd', products: 'p' });
    expect(await Company.findById(member.companyId).lean()).toMatchObject({ name: 'Renamed', sector: 'ict', size: 'medium' });

    const liaison = await makeUser({ role: 'liaison', member: 'FR' });
    const liaisonDoc = await User.findById(liaison.id).lean<UserDoc>();
    await accounts.updateProfile(toActor(liaisonDoc!), { name: 'L', language: 'en', agency: 'Bpifrance', languages: ['Français'] });
    expect(await User.findById(liaison.id).lean()).toMatchObject({ agency: 'Bpifrance', languages: ['Français'] });
    // A liaison has no company of their own to edit.
    await expect(accounts.updateCompany(toActor(liaisonDoc!), { companyName: 'X', sector: 'ict', size: 'small' })).rejects.toThrow();
  });

  test('changePassword checks the current password and bumps authVersion', async () => {
    const person = await makeUser();
    const doc = await User.findById(person.id).lean<UserDoc>();
    await expect(accounts.changePassword(toActor(doc!), { currentPassword: 'nope-nope-nope', newPassword: 'silver-birch-evening' })).rejects.toBeInstanceOf(ValidationError);
    await accounts.changePassword(toActor(doc!), { currentPassword: person.password, newPassword: 'silver-birch-evening' });
    const after = await User.findById(person.id).lean<UserDoc>();
    expect(after!.authVersion).toBe((doc!.authVersion ?? 0) + 1);
    expect(await verifyPassword(after!.passwordHash, 'silver-birch-evening')).toBe(true);
  });

  test('an e-mail change waits for the link sent to the new address, and tells the old one', async () => {
    const person = await makeUser({ name: 'Changer' });
    const doc = await User.findById(person.id).lean<UserDoc>();
    await accounts.requestEmailChange(toActor(doc!), { newEmail: 'Changed@Example.com', emailPassword: person.password });
    expect(sent.map((s) => s.to.email)).toEqual(['changed@example.com', person.email]);
    expect((await User.findById(person.id).lean())?.email).toBe(person.email);
    sent.length = 0;
    expect(await accounts.confirmEmailChange('bogus-bogus-bogus-bogus-1')).toBeNull();
    await accounts.requestEmailChange(toActor(doc!), { newEmail: 'changed@example.com', emailPassword: person.password });
    const token = tokenFrom(sent[0]);
    sent.length = 0;
    expect(await accounts.confirmEmailChange(token)).toEqual({ email: 'changed@example.com' });
    expect((await User.findById(person.id).lean())?.email).toBe('changed@example.com');
    expect(sent[0]!.to.email).toBe(person.email);
    expect(sent[0]!.content.subject.key).toBe('accounts:mail.emailChanged.subject');
  });
});
