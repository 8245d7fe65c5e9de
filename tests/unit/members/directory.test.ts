/**
 * The member directory services and the seed, against the database.
 */
import mongoose from 'mongoose';
import { connectTestDb, disconnectTestDb } from '../../helpers/db';
import { makeUser } from '../../helpers/factories';
import { NotFoundError } from '../../../src/kernel';
import type { Actor } from '../../../src/kernel';
import { AsemMember } from '../../../src/modules/members/model';
import { findAsemMember, listAsemMembers, readSeedMembers, seedAsemMembers } from '../../../src/modules/members/service';
import { getCompanyPage, getMemberPage, listDirectory } from '../../../src/modules/directory/service';

jest.setTimeout(30_000);

beforeAll(async () => {
  await connectTestDb('unit_members');
  await seedAsemMembers();
});
afterAll(async () => {
  await disconnectTestDb();
});

const actor = (over: Partial<Actor>): Actor => ({ id: new mongoose.Types.ObjectId().toString(), role: 'member', name: 'A', email: 'a@example.com', language: 'en', member: null, companyId: null, createdAt: new Date(), ...over });

test('the seed holds the 45 members of the declaration; running it again changes nothing and keeps corrected names', async () => {
  expect(readSeedMembers()).toHaveLength(45);
  expect(await AsemMember.countDocuments({})).toBe(45);
  await AsemMember.updateOne({ code: 'KR' }, { $set: { 'name.en': 'Republic of Korea (corrected)' } });
  expect(await seedAsemMembers()).toBe(0);
  expect(await AsemMember.countDocuments({})).toBe(45);
  expect((await findAsemMember('kr'))?.name.en).toBe('Republic of Korea (corrected)');
});

test('members are sorted by name in the reader language and grouped by region with listed-company counts', async () => {
  await makeUser({ member: 'AT' });
  await makeUser({ member: 'AT' });
  await makeUser({ member: 'AT', verified: false });
  const en = await listAsemMembers('en');
  expect(en.map((m) => m.name.en).slice(0, 2)).toEqual(['ASEAN Secretariat', 'Austria']);
  const regions = await listDirectory('zh-CN');
  expect(regions.map((r) => r.region)).toEqual(['Asia', 'Europe']);
  const europe = regions.find((r) => r.region === 'Europe')!;
  expect(europe.members.find((m) => m.code === 'AT')?.companies).toBe(2);
  expect(europe.members.find((m) => m.code === 'BE')?.companies).toBe(0);
  expect(regions.flatMap((r) => r.members)).toHaveLength(45);
  expect(regions.find((r) => r.region === 'Asia')!.members.every((m) => m.region === 'Asia')).toBe(true);
});

test('a member page: listed companies, active liaisons, and who may write to them', async () => {
  await makeUser({ member: 'GR', company: { name: 'Olive Press' } });
  await makeUser({ member: 'GR', verified: false, company: { name: 'Hidden Olive' } });
  const liaison = await makeUser({ role: 'liaison', member: 'GR', name: 'Eleni' });
  await makeUser({ role: 'liaison', member: 'GR', name: 'Suspended Liaison', status: 'suspended' });
  const anonymous = await getMemberPage('gr', undefined, 'en');
  expect(anonymous.companies.map((c) => c.name)).toEqual(['Olive Press']);
  expect(anonymous.liaisons.map((l) => l.name)).toEqual(['Eleni']);
  expect(anonymous.liaisons[0]!.canMessage).toBe(false);
  expect(Object.keys(anonymous.liaisons[0]!)).not.toContain('email');
  expect((await getMemberPage('GR', actor({ role: 'member', member: 'GR' }), 'en')).liaisons[0]!.canMessage).toBe(true);
  expect((await getMemberPage('GR', actor({ role: 'member', member: 'FR' }), 'en')).liaisons[0]!.canMessage).toBe(false);
  expect((await getMemberPage('GR', actor({ role: 'organizer' }), 'en')).liaisons[0]!.canMessage).toBe(true);
  expect((await getMemberPage('GR', actor({ id: liaison.id, role: 'liaison', member: 'GR' }), 'en')).liaisons[0]!.canMessage).toBe(false);
  await expect(getMemberPage('ZZ', undefined, 'en')).rejects.toBeInstanceOf(NotFoundError);
  await expect(getMemberPage('../x', undefined, 'en')).rejects.toBeInstanceOf(NotFoundError);
});

test('a company page: public fields; unlisted only for its owner and the organizer; bad ids are NotFound', async () => {
  const listed = await makeUser({ member: 'ES', company: { name: 'Azulejos', website: 'https://azulejos.example.es' } });
  const page = await getCompanyPage(listed.companyId!, undefined);
  expect(page.company).toMatchObject({ name: 'Azulejos', member: 'ES', website: 'https://azulejos.example.es', listed: true });
  expect(Object.keys(page.company)).not.toContain('owner');
  expect(page.member?.name.en).toBe('Spain');

  const unlisted = await makeUser({ member: 'ES', verified: false });
  await expect(getCompanyPage(unlisted.companyId!, undefined)).rejects.toBeInstanceOf(NotFoundError);
  await expect(getCompanyPage(unlisted.companyId!, actor({ role: 'member' }))).rejects.toBeInstanceOf(NotFoundError);
  expect((await getCompanyPage(unlisted.companyId!, actor({ id: unlisted.id }))).company.listed).toBe(false);
  expect((await getCompanyPage(unlisted.companyId!, actor({ role: 'organizer' }))).company.listed).toBe(false);
  await expect(getCompanyPage('nope', undefined)).rejects.toBeInstanceOf(NotFoundError);
  await expect(getCompanyPage(new mongoose.Types.ObjectId().toString(), undefined)).rejects.toBeInstanceOf(NotFoundError);
});
