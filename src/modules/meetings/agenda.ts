/**
 * The personal agenda (/fair/agenda): a person's meetings at the hall by day, with the partner,
 * the table or booth, the time in the fair's zone and in the reader's own zone; the private
 * calendar feed (/fair/agenda/:token.ics, token stored hashed, regenerable); and the liaison's view
 * of its member's SMEs' meetings (/fair/agenda/member).
 *
 * The reader's zone: the zone of the reader's ASEM member (its capital's IANA zone, below) unless
 * the page is asked for another with `?tz=` (any IANA zone the platform knows); the organizer, who
 * has no member, sees the fair's zone unless asking for another.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Types, trusted } from 'mongoose';
import { NotFoundError, assertRole, type Actor, type Clock, type Language } from '../../kernel';
import { reachablePeople, reachablePerson } from '../accounts';
import { feedIcs, type IcsMeeting, type IcsPerson } from './ical';
import { hallNamesOf } from './invitations';
import { AgendaFeed, Meeting, MeetingSettings, type FollowUp, type MeetingDoc, type MeetingOutcome } from './model';
import { isTimeZone, localDate, localTime } from './slots';

/** The IANA zone of each ASEM member's capital (the ASEAN Secretariat: Jakarta; the EU: Brussels). */
export const MEMBER_ZONES: Readonly<Record<string, string>> = {
  AT: 'Europe/Vienna', BE: 'Europe/Brussels', BN: 'Asia/Brunei', BG: 'Europe/Sofia', KH: 'Asia/Phnom_Penh', CN: 'Asia/Shanghai',
  CY: 'Asia/Nicosia', CZ: 'Europe/Prague', DK: 'Europe/Copenhagen', EE: 'Europe/Tallinn', FI: 'Europe/Helsinki', FR: 'Europe/Paris',
  DE: 'Europe/Berlin', GR: 'Europe/Athens', HU: 'Europe/Budapest', IN: 'Asia/Kolkata', ID: 'Asia/Jakarta', IE: 'Europe/Dublin',
  IT: 'Europe/Rome', JP: 'Asia/Tokyo', KR: 'Asia/Seoul', LA: 'Asia/Vientiane', LV: 'Europe/Riga', LT: 'Europe/Vilnius',
  LU: 'Europe/Luxembourg', MY: 'Asia/Kuala_Lumpur', MT: 'Europe/Malta', MN: 'Asia/Ulaanbaatar', MM: 'Asia/Yangon', NL: 'Europe/Amsterdam',
  PK: 'Asia/Karachi', PH: 'Asia/Manila', PL: 'Europe/Warsaw', PT: 'Europe/Lisbon', RO: 'Europe/Bucharest', SG: 'Asia/Singapore',
  SK: 'Europe/Bratislava', SI: 'Europe/Ljubljana', ES: 'Europe/Madrid', SE: 'Europe/Stockholm', TH: 'Asia/Bangkok', GB: 'Europe/London',
  VN: 'Asia/Ho_Chi_Minh', ASEAN: 'Asia/Jakarta', EC: 'Europe/Brussels', AU: 'Australia/Canberra', NZ: 'Pacific/Auckland',
  RU: 'Europe/Moscow', NO: 'Europe/Oslo', CH: 'Europe/Zurich', KZ: 'Asia/Almaty', BD: 'Asia/Dhaka', HR: 'Europe/Zagreb',
};

export interface AgendaDeps {
  clock: Clock;
  baseUrl: string;
  organizer: IcsPerson;
}

/** The zone the agenda shows as the reader's own: `?tz=` if valid, else the member's zone. */
export function readerZone(actor: Pick<Actor, 'member'>, requested: unknown): { zone: string | null; invalid: boolean } {
  if (typeof requested === 'string' && requested.trim() !== '') {
    const z = requested.trim();
    if (z.length <= 64 && /^[A-Za-z0-9_+\-/]+$/.test(z) && isTimeZone(z)) return { zone: z, invalid: false };
    return { zone: fallbackZone(actor), invalid: true };
  }
  return { zone: fallbackZone(actor), invalid: false };
}

function fallbackZone(actor: Pick<Actor, 'member'>): string | null {
  const z = actor.member ? MEMBER_ZONES[actor.member.toUpperCase()] : undefined;
  return z && isTimeZone(z) ? z : null;
}

export interface AgendaPartner {
  name: string;
  companyName: string;
  companyId: string | null;
  member: string;
}

export interface AgendaItem {
  id: string;
  day: string;
  fairZone: string;
  fairStart: string;
  fairEnd: string;
  /** The reader's own times, when its zone differs from the fair's (else null). */
  own: { date: string; start: string; end: string } | null;
  partner: AgendaPartner;
  table: number | null;
  booth: string | null;
  status: 'booked' | 'cancelled';
  started: boolean;
  ended: boolean;
  /** Marked absent by the organizer: the reader, the partner. */
  noShowMe: boolean;
  noShowPartner: boolean;
  myOutcome: MeetingOutcome | null;
  /** The outcome may be recorded: booked and ended. */
  canRecord: boolean;
  /** A best-practice draft may be made from the reader's outcome (talks or agreement), none made yet. */
  canDraft: boolean;
  practice: string | null;
}

export interface AgendaDay {
  day: string;
  items: AgendaItem[];
}

const sideIndexOf = (m: Pick<MeetingDoc, 'sides'>, userId: string): number => m.sides.findIndex((s) => String(s.user) === userId);

export function isGoodFollowUp(f: FollowUp): boolean {
  return f === 'talks' || f === 'agreement';
}

async function zonesOf(editions: Types.ObjectId[]): Promise<Map<string, string>> {
  const rows = await MeetingSettings.find({ edition: trusted({ $in: [...new Map(editions.map((e) => [String(e), e])).values()] }) }, { edition: 1, timeZone: 1 }).lean<{ edition: Types.ObjectId; timeZone: string }[]>();
  return new Map(rows.map((r) => [String(r.edition), r.timeZone]));
}

export function agendaItem(m: MeetingDoc, me: number, fairZone: string, ownZone: string | null, now: Date): AgendaItem {
  const partnerSide = m.sides[me === 0 ? 1 : 0]!;
  const mine = m.sides[me]!;
  const myOutcome = m.outcomes.find((o) => String(o.user) === String(mine.user)) ?? null;
  const ended = m.endsAt.getTime() <= now.getTime();
  const differs = ownZone !== null && ownZone !== fairZone && (localTime(m.startsAt, ownZone) !== localTime(m.startsAt, fairZone) || localDate(m.startsAt, ownZone) !== localDate(m.startsAt, fairZone));
  return {
    id: String(m._id),
    day: m.day,
    fairZone,
    fairStart: localTime(m.startsAt, fairZone),
    fairEnd: localTime(m.endsAt, fairZone),
    own: differs ? { date: localDate(m.startsAt, ownZone), start: localTime(m.startsAt, ownZone), end: localTime(m.endsAt, ownZone) } : null,
    partner: { name: partnerSide.name, companyName: partnerSide.companyName, companyId: partnerSide.company ? String(partnerSide.company) : null, member: partnerSide.member },
    table: m.table,
    booth: m.booth,
    status: m.status,
    started: m.startsAt.getTime() <= now.getTime(),
    ended,
    noShowMe: m.noShow.some((u) => String(u) === String(mine.user)),
    noShowPartner: m.noShow.some((u) => String(u) === String(partnerSide.user)),
    myOutcome,
    canRecord: m.status === 'booked' && ended,
    canDraft: Boolean(myOutcome && myOutcome.tookPlace && isGoodFollowUp(myOutcome.followUp) && !practiceOf(myOutcome)),
    practice: myOutcome ? practiceOf(myOutcome) : null,
  };
}

/** The practice draft made from an outcome, if any (a field added to the outcome record). */
export function practiceOf(o: MeetingOutcome): string | null {
  return o.practice ? String(o.practice) : null;
}

export function groupByDay<T extends { day: string }>(items: T[]): { day: string; items: T[] }[] {
  const days = new Map<string, T[]>();
  for (const i of items) (days.get(i.day) ?? days.set(i.day, []).get(i.day)!).push(i);
  return [...days].map(([day, list]) => ({ day, items: list }));
}

/** The signed-in person's meetings by day (booked and cancelled), oldest first. */
async function agenda(deps: AgendaDeps, actor: Actor, opts: { tz?: unknown }): Promise<{ days: AgendaDay[]; zone: string | null; zoneInvalid: boolean; fairZones: string[]; feed: { exists: boolean; createdAt: Date | null } }> {
  const uid = new Types.ObjectId(actor.id);
  const [meetings, feed] = await Promise.all([
    Meeting.find({ 'sides.user': uid }).sort({ startsAt: 1 }).limit(500).lean<MeetingDoc[]>(),
    AgendaFeed.findOne({ user: uid }, { createdAt: 1 }).lean<{ createdAt: Date }>(),
  ]);
  const zones = await zonesOf(meetings.map((m) => m.edition));
  const { zone, invalid } = readerZone(actor, opts.tz);
  const now = deps.clock();
  const items = meetings.map((m) => agendaItem(m, sideIndexOf(m, actor.id), zones.get(String(m.edition)) ?? 'Asia/Shanghai', zone, now));
  return { days: groupByDay(items), zone, zoneInvalid: invalid, fairZones: [...new Set(zones.values())], feed: { exists: Boolean(feed), createdAt: feed?.createdAt ?? null } };
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const TOKEN = /^[A-Za-z0-9_-]{32}$/;

/** A new private feed address; the previous one (if any) stops working. The token is shown once. */
async function regenerateFeed(deps: AgendaDeps, actor: Actor): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  await AgendaFeed.updateOne({ user: new Types.ObjectId(actor.id) }, { $set: { tokenHash: hashOf(token), createdAt: deps.clock() } }, { upsert: true });
  return token;
}

/** The feed of a token, or NotFoundError (unknown token, or its holder can no longer be reached). */
async function feed(deps: AgendaDeps, token: unknown): Promise<string> {
  if (typeof token !== 'string' || !TOKEN.test(token)) throw new NotFoundError();
  const row = await AgendaFeed.findOne({ tokenHash: hashOf(token) }, { user: 1 }).lean<{ user: Types.ObjectId }>();
  const person = row ? await reachablePerson(row.user) : null;
  if (!row || !person) throw new NotFoundError();
  const meetings = await Meeting.find({ 'sides.user': row.user }).sort({ startsAt: 1 }).limit(1000).lean<MeetingDoc[]>();
  const zones = await zonesOf(meetings.map((m) => m.edition));
  const halls = new Map<string, Record<Language, string>>();
  for (const e of new Set(meetings.map((m) => String(m.edition)))) halls.set(e, await hallNamesOf(new Types.ObjectId(e)));
  const people = new Map((await reachablePeople([...new Set(meetings.flatMap((m) => m.sides.map((s) => String(s.user))))])).map((p) => [p.id, { name: p.name, email: p.email }]));
  const items: IcsMeeting[] = meetings.map((m) => ({
    meeting: m,
    timeZone: zones.get(String(m.edition)) ?? 'Asia/Shanghai',
    hallName: halls.get(String(m.edition))?.[person.language] ?? '',
    people: m.sides.map((s) => people.get(String(s.user)) ?? null),
    reader: sideIndexOf(m, person.id) === 1 ? 1 : 0,
  }));
  return feedIcs(items, { lang: person.language, baseUrl: deps.baseUrl, organizer: deps.organizer, now: deps.clock() });
}

export interface MemberMeetingRow {
  id: string;
  day: string;
  fairZone: string;
  start: string;
  end: string;
  table: number | null;
  booth: string | null;
  status: 'booked' | 'cancelled';
  sides: { name: string; companyName: string; companyId: string | null; member: string; ours: boolean; noShow: boolean; outcome: MeetingOutcome | null }[];
}

/** A liaison's view: the meetings of its member's SMEs, with each side's outcome. */
export async function memberMeetings(actor: Actor | undefined): Promise<{ days: { day: string; items: MemberMeetingRow[] }[]; member: string }> {
  assertRole(actor, 'liaison');
  const member = (actor.member ?? '').toUpperCase();
  if (!member) return { days: [], member };
  const meetings = await Meeting.find({ sides: trusted({ $elemMatch: { member, company: { $ne: null } } }) }).sort({ startsAt: 1 }).limit(2000).lean<MeetingDoc[]>();
  const zones = await zonesOf(meetings.map((m) => m.edition));
  const rows: MemberMeetingRow[] = meetings.map((m) => {
    const zone = zones.get(String(m.edition)) ?? 'Asia/Shanghai';
    return {
      id: String(m._id),
      day: m.day,
      fairZone: zone,
      start: localTime(m.startsAt, zone),
      end: localTime(m.endsAt, zone),
      table: m.table,
      booth: m.booth,
      status: m.status,
      sides: m.sides.map((s) => ({
        name: s.name,
        companyName: s.companyName,
        companyId: s.company ? String(s.company) : null,
        member: s.member,
        ours: s.member === member && s.company !== null,
        noShow: m.noShow.some((u) => String(u) === String(s.user)),
        outcome: m.outcomes.find((o) => String(o.user) === String(s.user)) ?? null,
      })),
    };
  });
  return { days: groupByDay(rows), member };
}

export function createAgendaService(deps: AgendaDeps) {
  return {
    agenda: (actor: Actor, opts: { tz?: unknown } = {}) => agenda(deps, actor, opts),
    regenerateFeed: (actor: Actor) => regenerateFeed(deps, actor),
    feed: (token: unknown) => feed(deps, token),
    memberMeetings,
  };
}
export type AgendaService = ReturnType<typeof createAgendaService>;
