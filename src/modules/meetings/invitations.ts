/**
 * Calendar invitations for meetings at the hall: each side gets an e-mail in its own language with
 * the iCalendar invitation (METHOD:REQUEST, the meeting's stable UID and SEQUENCE, the edition's
 * zone with its VTIMEZONE, the table or booth and the hall as LOCATION) when a meeting is booked or
 * moved, and the cancellation (METHOD:CANCEL, same UID, a higher SEQUENCE) when it is cancelled.
 *
 * The reminder the day before is scheduled work: each meeting is claimed by one conditional update
 * on `remindedAt`, so several instances (or two runs at once) send it once.
 */
import { Types, trusted } from 'mongoose';
import type { Language } from '../../kernel';
import type { AppContext } from '../../web/context';
import type { Mailer } from '../../web/mail';
import { runEvery } from '../../web/schedule';
import { reachablePeople, type Person } from '../accounts';
import { FairEdition } from '../fair';
import type { MeetingInvitationDeps, MeetingInvitations } from './contract';
import { invitationIcs, placeOf, type IcsPerson } from './ical';
import { Meeting, MeetingSettings, type MeetingDoc, type MeetingSettingsDoc } from './model';
import { localDate, localTime } from './slots';

export interface InvitationDeps extends MeetingInvitationDeps {
  /** Who the invitations come from (ORGANIZER): the portal's sending address. */
  organizer?: IcsPerson;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The portal as ORGANIZER: the address of MAIL_FROM ("Name <a@b>" or "a@b"), else one on the portal's host. */
export function organizerOf(mailFrom: string | undefined, baseUrl: string): IcsPerson {
  const match = mailFrom ? /<([^>]+)>/.exec(mailFrom) : null;
  const email = match?.[1] ?? (mailFrom && mailFrom.includes('@') ? mailFrom.trim() : `meetings@${new URL(baseUrl).hostname}`);
  return { name: 'ASEM SME Exchange', email };
}

/** The hall's name by language for an edition. */
export async function hallNamesOf(edition: Types.ObjectId): Promise<Record<Language, string>> {
  const e = await FairEdition.findById(edition, { hallName: 1 }).lean<{ hallName?: { en?: string; 'zh-CN'?: string } }>();
  const en = e?.hallName?.en ?? '';
  return { en, 'zh-CN': e?.hallName?.['zh-CN'] || en };
}

interface Prepared {
  people: (Person | null)[];
  halls: Record<Language, string>;
}

async function prepare(meeting: MeetingDoc): Promise<Prepared> {
  const [found, halls] = await Promise.all([reachablePeople(meeting.sides.map((s) => s.user)), hallNamesOf(meeting.edition)]);
  const byId = new Map(found.map((p) => [p.id, p]));
  return { people: meeting.sides.map((s) => byId.get(String(s.user)) ?? null), halls };
}

function timeParams(meeting: MeetingDoc, settings: Pick<MeetingSettingsDoc, 'timeZone'>, partner: MeetingDoc['sides'][number], hall: string, lang: Language) {
  return {
    partner: partner.companyName || partner.name,
    person: partner.name,
    date: localDate(meeting.startsAt, settings.timeZone),
    start: localTime(meeting.startsAt, settings.timeZone),
    end: localTime(meeting.endsAt, settings.timeZone),
    zone: settings.timeZone,
    place: placeOf(meeting, hall, lang),
  };
}

async function mailBothSides(deps: InvitationDeps, meeting: MeetingDoc, settings: Pick<MeetingSettingsDoc, 'timeZone'>, kind: 'booked' | 'cancelled' | 'reminder'): Promise<void> {
  const { people, halls } = await prepare(meeting);
  const organizer = deps.organizer ?? organizerOf(undefined, deps.baseUrl);
  const attendees = people.map((p) => (p ? { name: p.name, email: p.email } : null));
  await Promise.all(
    meeting.sides.map(async (_side, i) => {
      const person = people[i];
      if (!person) return;
      const partner = meeting.sides[i === 0 ? 1 : 0]!;
      const lang = person.language;
      const params = timeParams(meeting, settings, partner, halls[lang], lang);
      const calendar =
        kind === 'reminder'
          ? undefined
          : (() => {
              const ics = invitationIcs(
                { meeting, timeZone: settings.timeZone, hallName: halls[lang], people: attendees, reader: i as 0 | 1 },
                { lang, baseUrl: deps.baseUrl, organizer, now: deps.clock() },
              );
              return { method: ics.method, filename: ics.method === 'CANCEL' ? 'cancel.ics' : 'invite.ics', content: ics.content };
            })();
      await deps.mailer.notify(
        { email: person.email, name: person.name, language: lang },
        {
          subject: { key: `agenda:emails.${kind}.subject`, params },
          lines: [{ key: `agenda:emails.${kind}.body`, params }, { key: 'agenda:emails.where', params }],
          action: { label: { key: 'agenda:emails.openAgenda' }, url: `${deps.baseUrl}/fair/agenda` },
          ...(calendar ? { calendar } : {}),
        },
      );
    }),
  );
}

/** A meeting as a plain object, whether the caller holds a lean record or a mongoose document. */
function plain(meeting: MeetingDoc): MeetingDoc {
  const doc = meeting as MeetingDoc & { toObject?: () => MeetingDoc };
  return typeof doc.toObject === 'function' ? doc.toObject() : meeting;
}

/** The invitations the booking service calls after its writes (see contract.ts). */
export function createMeetingInvitations(deps: InvitationDeps): MeetingInvitations {
  return {
    booked: (meeting, settings) => mailBothSides(deps, plain(meeting), settings, 'booked'),
    cancelled: (meeting, settings) => mailBothSides(deps, { ...plain(meeting), status: 'cancelled' }, settings, 'cancelled'),
  };
}

/**
 * Sends the reminder for every booked meeting that starts within the next 24 hours and has not
 * been reminded: each is claimed first by one conditional update (remindedAt from null to now), so
 * a meeting is reminded once whatever runs at the same time. Returns how many were claimed.
 */
export async function runMeetingReminders(deps: { mailer: Mailer; clock: () => Date; baseUrl: string }): Promise<number> {
  const now = deps.clock();
  const due = await Meeting.find({ status: 'booked', remindedAt: null, startsAt: trusted({ $gt: now, $lte: new Date(now.getTime() + DAY_MS) }) }, { _id: 1 })
    .sort({ startsAt: 1 })
    .limit(500)
    .lean<{ _id: Types.ObjectId }[]>();
  let sent = 0;
  const zones = new Map<string, string>();
  for (const { _id } of due) {
    const claimed = await Meeting.findOneAndUpdate(
      { _id, status: 'booked', remindedAt: null, startsAt: trusted({ $gt: now }) },
      { $set: { remindedAt: now } },
      { returnDocument: 'after' },
    ).lean<MeetingDoc>();
    if (!claimed) continue;
    const key = String(claimed.edition);
    if (!zones.has(key)) zones.set(key, (await MeetingSettings.findOne({ edition: claimed.edition }, { timeZone: 1 }).lean<{ timeZone: string }>())?.timeZone ?? 'Asia/Shanghai');
    await mailBothSides({ ...deps }, claimed, { timeZone: zones.get(key)! }, 'reminder');
    sent++;
  }
  return sent;
}

const REMINDER_POLL_MS = 15 * 60 * 1000;

/** Starts the reminders on a timer (server start-up); returns the function that stops them. */
export function startMeetingReminders(ctx: AppContext): () => void {
  const deps = { mailer: ctx.mailer, clock: ctx.now, baseUrl: ctx.config.baseUrl };
  return runEvery(ctx.logger, 'meeting reminders', REMINDER_POLL_MS, () => runMeetingReminders(deps));
}
