/**
 * Reply e-mails for a thread's subscribers. Quiet by design: a subscriber gets at most one e-mail
 * per thread until they visit it again. A subscription is "armed" while notifiedAt is null; the
 * reply that sends an e-mail disarms it with a conditional update (so two replies at once send one
 * e-mail), and a visit to the thread re-arms it.
 *
 * Every e-mail carries a one-click unsubscribe link: a token signed with the session secret that
 * names the user and the thread, so it works without logging in and cannot be forged for others.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Types, trusted } from 'mongoose';
import type { Actor } from '../../kernel';
import { UnauthenticatedError } from '../../kernel';
import type { Mailer } from '../../web/mail';
import type { Clock } from '../../kernel';
import { reachablePerson } from '../accounts';
import { BoardSubscription, BoardThread, type BoardPostDoc, type BoardThreadDoc } from './model';

/** What subscriptions need of the board's dependencies. */
export interface SubscriptionDeps {
  mailer: Mailer;
  clock: Clock;
  baseUrl: string;
  secret: string;
}

function sign(secret: string, userId: string, threadId: string): string {
  return createHmac('sha256', secret).update(`board-unsubscribe:${userId}:${threadId}`).digest('base64url');
}

export function unsubscribeToken(secret: string, userId: string, threadId: string): string {
  return `${userId}.${threadId}.${sign(secret, userId, threadId)}`;
}

/** The user and thread a token names, or null when it is malformed or its signature is wrong. */
export function readUnsubscribeToken(secret: string, token: unknown): { userId: string; threadId: string } | null {
  if (typeof token !== 'string' || token.length > 200) return null;
  const [userId, threadId, signature, ...rest] = token.split('.');
  if (rest.length || !userId || !threadId || !signature) return null;
  if (!/^[a-f0-9]{24}$/.test(userId) || !/^[a-f0-9]{24}$/.test(threadId)) return null;
  const expected = Buffer.from(sign(secret, userId, threadId));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { userId, threadId };
}

export async function subscribe(deps: Pick<SubscriptionDeps, 'clock'>, actor: Actor | undefined, threadId: Types.ObjectId): Promise<void> {
  if (!actor) throw new UnauthenticatedError();
  const now = deps.clock();
  await BoardSubscription.updateOne(
    { user: new Types.ObjectId(actor.id), thread: threadId },
    { $setOnInsert: { createdAt: now, notifiedAt: null, lastVisitedAt: now } },
    { upsert: true },
  );
}

export async function unsubscribe(actor: Actor | undefined, threadId: Types.ObjectId): Promise<void> {
  if (!actor) throw new UnauthenticatedError();
  await BoardSubscription.deleteOne({ user: new Types.ObjectId(actor.id), thread: threadId });
}

export async function isSubscribed(actor: Actor | undefined, threadId: Types.ObjectId): Promise<boolean> {
  if (!actor) return false;
  return (await BoardSubscription.countDocuments({ user: new Types.ObjectId(actor.id), thread: threadId })) > 0;
}

/** A visit to the thread re-arms the subscriber's next reply e-mail. */
export async function recordVisit(deps: Pick<SubscriptionDeps, 'clock'>, actor: Actor | undefined, threadId: Types.ObjectId): Promise<void> {
  if (!actor) return;
  await BoardSubscription.updateOne({ user: new Types.ObjectId(actor.id), thread: threadId }, { $set: { lastVisitedAt: deps.clock(), notifiedAt: null } });
}

/** What the unsubscribe page shows for a token (the thread's title), or null for a bad token. */
export async function describeUnsubscribe(deps: Pick<SubscriptionDeps, 'secret'>, token: unknown): Promise<{ userId: string; threadId: string; title: string; subscribed: boolean } | null> {
  const who = readUnsubscribeToken(deps.secret, token);
  if (!who) return null;
  const thread = await BoardThread.findById(who.threadId, { title: 1 }).lean();
  const subscribed = (await BoardSubscription.countDocuments({ user: new Types.ObjectId(who.userId), thread: new Types.ObjectId(who.threadId) })) > 0;
  return { ...who, title: thread?.title ?? '', subscribed };
}

/** Unsubscribes the token's user from the token's thread; false for a bad token. Idempotent. */
export async function unsubscribeByToken(deps: Pick<SubscriptionDeps, 'secret'>, token: unknown): Promise<boolean> {
  const who = readUnsubscribeToken(deps.secret, token);
  if (!who) return false;
  await BoardSubscription.deleteOne({ user: new Types.ObjectId(who.userId), thread: new Types.ObjectId(who.threadId) });
  return true;
}

/**
 * E-mails the subscribers of a thread about a new reply — everyone but the replier, each in their
 * own language, and only those whose subscription is armed. Returns how many e-mails went out.
 *
 * The e-mail names the thread and the replier but carries none of the reply's text: a message
 * waits in the outbox before it is sent, and a post the organizer hides meanwhile must not go out
 * by mail (the link opens the post, which is then gone for the reader).
 */
export async function notifySubscribers(deps: SubscriptionDeps, thread: Pick<BoardThreadDoc, '_id' | 'title'>, post: Pick<BoardPostDoc, '_id' | 'author' | 'authorName'>): Promise<number> {
  const now = deps.clock();
  const candidates = await BoardSubscription.find({ thread: thread._id, user: trusted({ $ne: post.author }), notifiedAt: null }, { _id: 1, user: 1 }).lean();
  let sent = 0;
  for (const sub of candidates) {
    // Null when another reply claimed it first.
    const claimed = await BoardSubscription.findOneAndUpdate({ _id: sub._id, notifiedAt: null }, { $set: { notifiedAt: now } }).lean();
    if (!claimed) continue;
    const user = await reachablePerson(sub.user);
    if (!user) continue;
    const threadId = String(thread._id);
    await deps.mailer.notify(
      { email: user.email, name: user.name, language: user.language },
      {
        subject: { key: 'board:mail.replySubject', params: { title: thread.title } },
        lines: [
          { key: 'board:mail.replyLine', params: { name: post.authorName, title: thread.title } },
          { key: 'board:mail.onceUntilVisit' },
        ],
        action: { label: { key: 'board:mail.open' }, url: `${deps.baseUrl}/board/posts/${String(post._id)}` },
        unsubscribeUrl: `${deps.baseUrl}/board/unsubscribe?token=${encodeURIComponent(unsubscribeToken(deps.secret, String(sub.user), threadId))}`,
      },
    );
    sent++;
  }
  return sent;
}
