/**
 * The fair's desk items: a member's booth offers to confirm and outcome reports due after a fair, a liaison's requests to endorse (with
 * how long they have waited), the organizer's endorsed requests to allocate.
 */
import { Types, trusted } from 'mongoose';
import type { Actor, DeskItem } from '../../kernel';
import { localized, type Language } from '../../web/i18n';
import { BoothRequest, type BoothRequestDoc } from './model';
import { reportsDue } from './outcomes';

function filterFor(actor: Actor): Record<string, unknown> | null {
  if (actor.role === 'member') return actor.companyId ? { company: new Types.ObjectId(actor.companyId), status: 'approved' } : null;
  if (actor.role === 'liaison') return actor.member ? { member: actor.member, status: 'submitted' } : null;
  if (actor.role === 'organizer') return { status: 'endorsed' };
  return null;
}

/** When the request reached its present status (its last timeline entry). */
function statusSince(r: Pick<BoothRequestDoc, 'timeline' | 'updatedAt'>): Date {
  return r.timeline.length ? r.timeline[r.timeline.length - 1]!.at : r.updatedAt;
}

/** An exhibitor's outcome reports due: from the end of the fair until the report window closes. */
async function outcomeItems(actor: Actor, now: Date): Promise<DeskItem[]> {
  const lang: Language = actor.language;
  return (await reportsDue(actor, now)).map((d) => ({
    kind: 'fair.outcome',
    title: { key: 'fair:desk.outcome', params: { edition: localized(d.edition.name, lang) } },
    url: `/fair/editions/${String(d.edition._id)}/outcome`,
    since: d.since,
    due: d.due,
    action: { key: 'fair:desk.outcomeAction' },
  }));
}

export async function fairDeskItems(actor: Actor, now: Date): Promise<DeskItem[]> {
  const outcomes = await outcomeItems(actor, now);
  const filter = filterFor(actor);
  if (!filter) return outcomes;
  const rows = await BoothRequest.find(filter, { companyName: 1, member: 1, timeline: trusted({ $slice: -1 }), updatedAt: 1, status: 1 })
    .sort({ updatedAt: 1 })
    .limit(100)
    .lean<BoothRequestDoc[]>();
  const kind = actor.role === 'member' ? 'confirm' : actor.role === 'liaison' ? 'endorse' : 'allocate';
  const requests: DeskItem[] = rows.map((r) => ({
    kind: `fair.${kind}`,
    title: { key: `fair:desk.${kind}`, params: { company: r.companyName, member: r.member } },
    url: actor.role === 'organizer' ? `/admin/fair/requests/${String(r._id)}` : `/fair/requests/${String(r._id)}`,
    since: statusSince(r),
    action: { key: `fair:desk.${kind}Action` },
  }));
  return [...outcomes, ...requests];
}

export async function fairDeskCount(actor: Actor, now: Date): Promise<number> {
  const filter = filterFor(actor);
  const [requests, outcomes] = await Promise.all([filter ? BoothRequest.countDocuments(filter) : 0, reportsDue(actor, now)]);
  return requests + outcomes.length;
}
