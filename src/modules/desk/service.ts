/**
 * The desk: everything that waits for one person, gathered from the modules' own lists (each
 * module contributes through PortalModule.deskItems; the desk knows none of their internals),
 * oldest first. And the opt-in daily digest of it, with a one-click unsubscribe (RFC 8058).
 */
import { Types, trusted } from 'mongoose';
import type { Actor, Clock, DeskItem } from '../../kernel';
import { UnauthenticatedError } from '../../kernel';
import type { AppContext, PortalModule } from '../../web/context';
import type { Mailer, MailLine } from '../../web/mail';
import { reachableActors } from '../accounts';
import { DeskDigest } from './model';
import { readUserToken, signUserToken } from '../../web/signed-token';

export interface DeskDeps {
  ctx: AppContext;
  sources: () => readonly PortalModule[];
  mailer: Mailer;
  clock: Clock;
  baseUrl: string;
  secret: string;
}

/** Everything waiting for this person, oldest first. */
async function itemsFor(deps: DeskDeps, actor: Actor): Promise<DeskItem[]> {
  const lists = await Promise.all(deps.sources().map((m) => (m.deskItems ? m.deskItems(deps.ctx, actor) : Promise.resolve([]))));
  return lists.flat().sort((a, b) => a.since.getTime() - b.since.getTime());
}

/** The header badge: the modules' counts (no lists). */
async function countFor(deps: DeskDeps, actor: Actor): Promise<number> {
  const counts = await Promise.all(deps.sources().map((m) => (m.deskCount ? m.deskCount(deps.ctx, actor) : Promise.resolve(0))));
  return counts.reduce((a, b) => a + b, 0);
}

// ---- digest ----

export function unsubscribeToken(secret: string, userId: string): string {
  return signUserToken(secret, 'desk-digest-unsubscribe', userId);
}

export function readUnsubscribeToken(secret: string, token: unknown): string | null {
  return readUserToken(secret, 'desk-digest-unsubscribe', token);
}

async function digestEnabled(actor: Actor): Promise<boolean> {
  return (await DeskDigest.countDocuments({ user: new Types.ObjectId(actor.id), enabled: true })) > 0;
}

async function setDigest(deps: DeskDeps, actor: Actor | undefined, enabled: boolean): Promise<void> {
  if (!actor) throw new UnauthenticatedError();
  const now = deps.clock();
  // Opting in reports only what comes after: the first digest is not a list of everything old.
  await DeskDigest.updateOne(
    { user: new Types.ObjectId(actor.id) },
    { $set: { enabled, ...(enabled ? { reportedUpTo: now } : {}) }, $setOnInsert: { createdAt: now, lastRunDay: '', lastSentAt: null } },
    { upsert: true },
  );
}

async function unsubscribeByToken(deps: DeskDeps, token: unknown): Promise<boolean> {
  const userId = readUnsubscribeToken(deps.secret, token);
  if (!userId) return false;
  await DeskDigest.updateOne({ user: new Types.ObjectId(userId) }, { $set: { enabled: false } });
  return true;
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Today's digests. Each person is claimed for the day by an atomic update (lastRunDay ≠ today →
 * today), so several instances never send one person two. A mail goes only when something arrived
 * since the last one. Returns how many digests were queued.
 */
async function sendDigests(deps: DeskDeps): Promise<number> {
  const now = deps.clock();
  const today = dayOf(now);
  let sent = 0;
  const due = await DeskDigest.find({ enabled: true, lastRunDay: trusted({ $ne: today }) }).limit(1000).lean();
  for (const sub of due) {
    const claim = await DeskDigest.updateOne({ _id: sub._id, enabled: true, lastRunDay: trusted({ $ne: today }) }, { $set: { lastRunDay: today } });
    if (claim.modifiedCount !== 1) continue;
    const [actor] = await reachableActors([sub.user]);
    if (!actor) continue;
    const items = await itemsFor(deps, actor);
    const since = sub.reportedUpTo ?? new Date(0);
    const fresh = items.filter((i) => i.since > since);
    if (!fresh.length) continue;
    const lines: MailLine[] = [{ key: 'desk:digest.intro', params: { count: items.length, fresh: fresh.length } }, ...items.slice(0, 30).map((i) => i.title)];
    await deps.mailer.notify(
      { email: actor.email, name: actor.name, language: actor.language },
      {
        subject: { key: 'desk:digest.subject', params: { count: fresh.length } },
        lines,
        action: { label: { key: 'desk:digest.open' }, url: `${deps.baseUrl}/desk` },
        unsubscribeUrl: `${deps.baseUrl}/desk/unsubscribe?token=${unsubscribeToken(deps.secret, actor.id)}`,
      },
    );
    await DeskDigest.updateOne({ _id: sub._id }, { $set: { reportedUpTo: now, lastSentAt: now } });
    sent++;
  }
  return sent;
}

export function createDeskService(deps: DeskDeps) {
  return {
    itemsFor: (actor: Actor) => itemsFor(deps, actor),
    countFor: (actor: Actor) => countFor(deps, actor),
    digestEnabled,
    setDigest: (actor: Actor | undefined, enabled: boolean) => setDigest(deps, actor, enabled),
    unsubscribeByToken: (token: unknown) => unsubscribeByToken(deps, token),
    readUnsubscribeToken: (token: unknown) => readUnsubscribeToken(deps.secret, token),
    sendDigests: () => sendDigests(deps),
  };
}
export type DeskService = ReturnType<typeof createDeskService>;
