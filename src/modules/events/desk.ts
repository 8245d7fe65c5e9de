/**
 * What the officials' mechanism puts on a person's desk: a liaison's delegation still to register
 * and documents still to comment before their deadline; the organizer's delegations missing.
 */
import { Types, trusted } from 'mongoose';
import type { Actor, DeskItem } from '../../kernel';
import { listAsemMembers } from '../members';
import { Delegation, DocumentComment, OfficialEvent, WorkingDocument, type OfficialEventDoc, type WorkingDocumentDoc } from './model';

async function openRegistrations(now: Date): Promise<OfficialEventDoc[]> {
  return OfficialEvent.find({ delegationDeadline: trusted({ $gte: now }), delegationsLockedAt: null }).sort({ delegationDeadline: 1 }).limit(50).lean<OfficialEventDoc[]>();
}

async function documentsToComment(actor: Actor, now: Date): Promise<WorkingDocumentDoc[]> {
  const docs = await WorkingDocument.find({ commentDeadline: trusted({ $gte: now }), publishedVersion: null }).limit(100).lean<WorkingDocumentDoc[]>();
  if (!docs.length) return [];
  const commented = await DocumentComment.find({ author: new Types.ObjectId(actor.id), document: trusted({ $in: docs.map((d) => d._id) }) }, { document: 1, version: 1 }).lean();
  const done = new Set(commented.map((c) => `${String(c.document)}:${c.version}`));
  return docs.filter((d) => !done.has(`${String(d._id)}:${d.versions.length}`));
}

export async function eventsDeskItems(actor: Actor, now: Date): Promise<DeskItem[]> {
  const lang = actor.language;
  if (actor.role === 'liaison' && actor.member) {
    const events = await openRegistrations(now);
    const registered = new Set((await Delegation.distinct('event', { member: actor.member, event: trusted({ $in: events.map((e) => e._id) }) })).map(String));
    const items: DeskItem[] = events
      .filter((e) => !registered.has(String(e._id)))
      .map((e) => ({
        kind: 'events.delegation',
        title: { key: 'events:desk.delegation', params: { title: e.title[lang] || e.title.en } },
        url: `/events/${String(e._id)}/delegations`,
        since: e.createdAt,
        due: e.delegationDeadline,
        action: { key: 'events:desk.register' },
      }));
    for (const d of await documentsToComment(actor, now)) {
      const latest = d.versions[d.versions.length - 1]!;
      items.push({
        kind: 'events.comment',
        title: { key: 'events:desk.comment', params: { title: d.title, version: latest.number } },
        url: `/events/${String(d.event)}/documents/${String(d._id)}#v${latest.number}`,
        since: latest.uploadedAt,
        due: d.commentDeadline,
        action: { key: 'events:desk.commentAction' },
      });
    }
    return items;
  }
  if (actor.role === 'organizer') {
    const events = await openRegistrations(now);
    if (!events.length) return [];
    const total = (await listAsemMembers('en')).length;
    const items: DeskItem[] = [];
    for (const e of events) {
      const registered = await Delegation.countDocuments({ event: e._id });
      if (registered >= total) continue;
      items.push({
        kind: 'events.delegationsMissing',
        title: { key: 'events:desk.missing', params: { title: e.title[lang] || e.title.en, count: total - registered } },
        url: `/events/${String(e._id)}/delegations`,
        since: e.createdAt,
        due: e.delegationDeadline,
        action: { key: 'events:desk.review' },
      });
    }
    return items;
  }
  return [];
}

/** The badge's share: how many of the above (bounded lists of open meetings, no documents loaded for SMEs). */
export async function eventsDeskCount(actor: Actor, now: Date): Promise<number> {
  if (actor.role !== 'liaison' && actor.role !== 'organizer') return 0;
  return (await eventsDeskItems(actor, now)).length;
}
