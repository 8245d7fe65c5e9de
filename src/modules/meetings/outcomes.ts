/**
 * After the fair: each side records per meeting, once it has ended, whether it took place and
 * what followed (nothing, further talks, an agreement signed) with an optional note; a side may
 * change its record. A good outcome (talks or agreement) may become a best-practice draft of the
 * SME's, once.
 *
 * Writes are conditional on the meeting's version (`__v`), raised by each of them: two records
 * at once never overwrite each other; the loser reads again and retries.
 */
import { Types } from 'mongoose';
import { NotFoundError, ValidationError, type Actor, type Clock } from '../../kernel';
import { createPracticeDraft, discardPracticeDraft } from '../practices';
import { isGoodFollowUp } from './agenda';
import { Meeting, type FollowUp, type MeetingDoc, type MeetingOutcome } from './model';
import { localDate } from './slots';

export interface OutcomeInput {
  tookPlace: boolean;
  followUp: FollowUp;
  note: string;
}

export interface OutcomeDeps {
  clock: Clock;
}

type Versioned = MeetingDoc & { __v?: number };

/** The meeting if the actor is one of its two sides (else 404, as for a meeting that does not exist). */
export async function ownMeeting(actor: Actor, id: unknown): Promise<{ meeting: Versioned; side: number }> {
  if (typeof id !== 'string' || !/^[a-f0-9]{24}$/i.test(id)) throw new NotFoundError();
  const meeting = await Meeting.findOne({ _id: new Types.ObjectId(id), 'sides.user': new Types.ObjectId(actor.id) }).lean<Versioned>();
  if (!meeting) throw new NotFoundError();
  return { meeting, side: meeting.sides.findIndex((s) => String(s.user) === actor.id) };
}

function versionFilter(m: Versioned): Record<string, unknown> {
  return m.__v === undefined || m.__v === null ? { __v: null } : { __v: m.__v };
}

async function recordOutcome(deps: OutcomeDeps, actor: Actor, id: unknown, input: OutcomeInput): Promise<MeetingOutcome> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { meeting } = await ownMeeting(actor, id);
    const now = deps.clock();
    if (meeting.status !== 'booked') throw new ValidationError({ _form: { key: 'agenda:errors.cancelled' } });
    if (meeting.endsAt.getTime() > now.getTime()) throw new ValidationError({ _form: { key: 'agenda:errors.notEnded' } });
    const previous = meeting.outcomes.find((o) => String(o.user) === actor.id);
    const outcome: MeetingOutcome = {
      user: new Types.ObjectId(actor.id),
      tookPlace: input.tookPlace,
      followUp: input.tookPlace ? input.followUp : 'nothing',
      note: input.note,
      at: now,
      practice: previous?.practice ?? null,
    };
    const outcomes = [...meeting.outcomes.filter((o) => String(o.user) !== actor.id), outcome];
    const done = await Meeting.updateOne({ _id: meeting._id, status: 'booked', ...versionFilter(meeting) }, { $set: { outcomes }, $inc: { __v: 1 } });
    if (done.modifiedCount === 1) return outcome;
  }
  throw new ValidationError({ _form: { key: 'agenda:errors.busy' } });
}

/**
 * Turns the actor's good outcome into a best-practice draft: the draft is created, then attached
 * to the outcome by a conditional update; if another request attached one first, this draft is
 * removed again. Returns the draft's id.
 */
async function draftFromOutcome(deps: OutcomeDeps, actor: Actor, id: unknown, lang: 'en' | 'zh-CN', text: { title: string; summary: string; body: string }): Promise<string> {
  const { meeting } = await ownMeeting(actor, id);
  const mine = meeting.outcomes.find((o) => String(o.user) === actor.id);
  if (!mine || !mine.tookPlace || !isGoodFollowUp(mine.followUp)) throw new ValidationError({ _form: { key: 'agenda:errors.noGoodOutcome' } });
  if (mine.practice) return String(mine.practice);
  const me = meeting.sides.find((s) => String(s.user) === actor.id)!;
  const draft = await createPracticeDraft(actor, { ...text, organisation: me.companyName || me.name, language: lang === 'zh-CN' ? 'zh' : 'en' });
  const outcomes = meeting.outcomes.map((o) => (String(o.user) === actor.id ? { ...o, practice: new Types.ObjectId(draft) } : o));
  const done = await Meeting.updateOne({ _id: meeting._id, ...versionFilter(meeting) }, { $set: { outcomes }, $inc: { __v: 1 } });
  if (done.modifiedCount === 1) return draft;
  await discardPracticeDraft(actor, draft);
  const again = await ownMeeting(actor, id);
  const attached = again.meeting.outcomes.find((o) => String(o.user) === actor.id)?.practice;
  if (attached) return String(attached);
  throw new ValidationError({ _form: { key: 'agenda:errors.busy' } });
}

/** The text a draft starts with: the partner, the day, what followed and the note. */
export function draftText(meeting: MeetingDoc, side: number, zone: string, t: (key: string, params?: Record<string, unknown>) => string): { title: string; summary: string; body: string } {
  const partner = meeting.sides[side === 0 ? 1 : 0]!;
  const mine = meeting.outcomes.find((o) => String(o.user) === String(meeting.sides[side]!.user));
  const params = { partner: partner.companyName || partner.name, member: partner.member, date: localDate(meeting.startsAt, zone), followUp: t(`agenda:followUp.${mine?.followUp ?? 'nothing'}`) };
  return {
    title: t('agenda:draft.title', params).slice(0, 200),
    summary: t('agenda:draft.summary', params).slice(0, 500),
    body: [t('agenda:draft.body', params), mine?.note ?? ''].filter(Boolean).join('\n\n'),
  };
}

export function createOutcomeService(deps: OutcomeDeps) {
  return {
    record: (actor: Actor, id: unknown, input: OutcomeInput) => recordOutcome(deps, actor, id, input),
    draft: (actor: Actor, id: unknown, lang: 'en' | 'zh-CN', text: { title: string; summary: string; body: string }) => draftFromOutcome(deps, actor, id, lang, text),
  };
}
export type OutcomeService = ReturnType<typeof createOutcomeService>;
