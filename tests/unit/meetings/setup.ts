/**
 * Shared set-up for the meetings' service tests: an edition (15–18 September 2027 in Guangzhou),
 * sessions on two days, exhibitors with an approved booth request, visitors, and a service with a
 * clock the test moves and invitations it records.
 */
import { Types } from 'mongoose';
import type { Actor } from '../../../src/kernel';
import type { Mailer } from '../../../src/web/mail';
import { BoothRequest, FairEdition, type FairEditionDoc } from '../../../src/modules/fair';
import type { MeetingInvitations } from '../../../src/modules/meetings/contract';
import type { MeetingDoc, MeetingSettingsDoc } from '../../../src/modules/meetings/model';
import { createMeetingsService } from '../../../src/modules/meetings/service';
import type { SettingsInput } from '../../../src/modules/meetings/settings';
import { makeUser, type MadeUser } from '../../helpers/factories';

export const clock = { now: new Date('2027-09-01T02:00:00Z') };
export const invitations: { booked: MeetingDoc[]; cancelled: MeetingDoc[] } = { booked: [], cancelled: [] };
export const mail: unknown[] = [];

const recording: MeetingInvitations = {
  booked: async (m) => void invitations.booked.push(m),
  cancelled: async (m) => void invitations.cancelled.push(m),
};
const mailer = { notify: async (...args: unknown[]) => void mail.push(args) } as unknown as Mailer;

export const service = createMeetingsService({ clock: () => clock.now, mailer, baseUrl: 'https://asem.example', invitations: recording });

export function actorOf(u: MadeUser, role: Actor['role'] = 'member'): Actor {
  return { id: u.id, role, name: u.name, email: u.email, language: 'en', member: u.member, companyId: u.companyId, createdAt: new Date() };
}

let editionCounter = 0;
export async function makeEdition(year = 2027): Promise<FairEditionDoc> {
  editionCounter++;
  const created = await FairEdition.create({
    code: `test-${year}-${editionCounter}-${new Types.ObjectId().toHexString()}`,
    name: { en: `CISMEF ${year}`, 'zh-CN': `中博会 ${year}` },
    year,
    startsOn: new Date(Date.UTC(year, 8, 15)),
    endsOn: new Date(Date.UTC(year, 8, 18)),
    city: { en: 'Guangzhou', 'zh-CN': '广州' },
    venue: { en: 'Canton Fair Complex', 'zh-CN': '广交会展馆' },
    hallName: { en: 'ASEM hall', 'zh-CN': '亚欧展馆' },
    requestOpensAt: new Date(Date.UTC(year, 0, 1)),
    requestClosesAt: new Date(Date.UTC(year, 7, 1)),
    status: 'open',
    defaultQuota: 10,
  });
  return created.toObject() as FairEditionDoc;
}

export const SESSIONS: SettingsInput = {
  schedule: '2027-09-15 09:00-12:00\n2027-09-16 09:00-10:00',
  slotMinutes: 30,
  breakMinutes: 0,
  tableCount: 2,
  areaX: 34,
  areaY: 2,
  areaWidth: 8,
  areaDepth: 6,
  timeZone: 'Asia/Shanghai',
  registrationOpensAt: '2027-08-01T09:00',
  registrationClosesAt: '2027-09-16T18:00',
  dailyCap: 3,
};

export async function organizer(): Promise<Actor> {
  return actorOf(await makeUser({ role: 'organizer' }), 'organizer');
}

/** An SME whose booth request for the edition is approved, holding the given booth. */
export async function exhibitor(edition: FairEditionDoc, member: string, booth: string): Promise<MadeUser> {
  const u = await makeUser({ member, company: { name: `${member} Exhibitor ${booth}` } });
  await BoothRequest.create({
    edition: edition._id,
    company: new Types.ObjectId(u.companyId!),
    companyName: `${member} Exhibitor ${booth}`,
    member,
    requester: new Types.ObjectId(u.id),
    contactName: u.name,
    phone: '+66 2 123 4567',
    products: 'Rice and spices',
    boothCount: 1,
    status: 'approved',
    active: true,
    booths: [{ booth: new Types.ObjectId(), code: booth }],
  });
  return u;
}

/** Slot start in Shanghai time on a day of the sessions. */
export function at(day: string, time: string): string {
  return new Date(`${day}T${time}:00+08:00`).toISOString();
}

export async function setUp(input: SettingsInput = SESSIONS): Promise<{ edition: FairEditionDoc; settings: MeetingSettingsDoc }> {
  const edition = await makeEdition();
  const settings = await service.saveSettings(await organizer(), edition, input);
  return { edition, settings };
}
