/**
 * The organizer's moderation: pin, lock, move, hide and restore threads; hide and restore posts
 * with a reason; the queue of reported posts. Every action is written to the audit log.
 */
import { Types, trusted } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../../kernel';
import { assertRole } from '../../kernel';
import { ConflictError, NotFoundError, ValidationError } from '../../kernel';
import { fields } from '../../web/forms';
import { markdownExcerpt } from '../../web/markdown';
import { recordAudit } from '../audit';
import { findCategoryById } from './categories';
import { BoardPost, BoardReport, BoardThread, type BoardPostDoc, type BoardReportDoc, type BoardThreadDoc, type ReportStatus } from './model';
import { REASON_MAX } from './service';

export const THREAD_ACTIONS = ['pin', 'unpin', 'lock', 'unlock', 'hide', 'restore', 'move'] as const;

export const ThreadModerationForm = z.object({
  action: z.enum(THREAD_ACTIONS),
  reason: fields.optionalText(REASON_MAX),
  category: z.preprocess((v) => (v === '' ? undefined : v), fields.objectId().optional()),
});
export type ThreadModerationInput = z.infer<typeof ThreadModerationForm>;

const validId = (id: unknown): id is string => typeof id === 'string' && /^[a-f0-9]{24}$/i.test(id);

const snapshot = (t: BoardThreadDoc) => ({ pinned: t.pinned, locked: t.locked, hidden: t.hidden, category: String(t.category), hiddenReason: t.hiddenReason });

export async function moderateThread(actor: Actor | undefined, threadId: unknown, input: ThreadModerationInput, now: Date): Promise<BoardThreadDoc> {
  assertRole(actor, 'organizer');
  if (!validId(threadId)) throw new NotFoundError();
  const before = await BoardThread.findById(threadId).lean<BoardThreadDoc>();
  if (!before) throw new NotFoundError();
  let set: Record<string, unknown>;
  switch (input.action) {
    case 'pin':
    case 'unpin':
      set = { pinned: input.action === 'pin' };
      break;
    case 'lock':
    case 'unlock':
      set = { locked: input.action === 'lock' };
      break;
    case 'hide':
      if (!input.reason) throw new ValidationError({ reason: { key: 'board:moderation.reasonRequired' } });
      set = { hidden: true, hiddenReason: input.reason };
      break;
    case 'restore':
      set = { hidden: false, hiddenReason: '' };
      break;
    case 'move': {
      if (!input.category) throw new ValidationError({ category: { key: 'validation:required' } });
      const category = await findCategoryById(input.category).catch(() => {
        throw new ValidationError({ category: { key: 'validation:invalidChoice' } });
      });
      set = { category: category._id };
      break;
    }
  }
  const after = await BoardThread.findOneAndUpdate({ _id: before._id }, { $set: set }, { returnDocument: 'after' }).lean<BoardThreadDoc>();
  if (!after) throw new NotFoundError();
  // The posts mirror what search needs to know (hidden thread, category); always rewritten, so
  // repeating an action repairs a mirror left behind by an interrupted one.
  if (input.action === 'hide' || input.action === 'restore') await BoardPost.updateMany({ thread: after._id }, { $set: { threadHidden: after.hidden } });
  if (input.action === 'move') await BoardPost.updateMany({ thread: after._id }, { $set: { category: after.category } });
  await recordAudit({ actor, action: `board.thread.${input.action}`, targetType: 'BoardThread', targetId: String(after._id), before: snapshot(before), after: snapshot(after), note: input.reason ?? '', at: now });
  return after;
}

async function findPost(postId: unknown): Promise<BoardPostDoc> {
  if (!validId(postId)) throw new NotFoundError();
  const post = await BoardPost.findById(postId).lean<BoardPostDoc>();
  if (!post) throw new NotFoundError();
  return post;
}

export async function hidePost(actor: Actor | undefined, postId: unknown, reason: string, now: Date): Promise<BoardPostDoc> {
  assertRole(actor, 'organizer');
  const post = await findPost(postId);
  const after = await BoardPost.findOneAndUpdate({ _id: post._id }, { $set: { hidden: true, hiddenReason: reason } }, { returnDocument: 'after' }).lean<BoardPostDoc>();
  if (!after) throw new NotFoundError();
  await recordAudit({ actor, action: 'board.post.hide', targetType: 'BoardPost', targetId: String(post._id), before: { hidden: post.hidden }, after: { hidden: true }, note: reason, at: now });
  return after;
}

export async function restorePost(actor: Actor | undefined, postId: unknown, now: Date): Promise<BoardPostDoc> {
  assertRole(actor, 'organizer');
  const post = await findPost(postId);
  const after = await BoardPost.findOneAndUpdate({ _id: post._id }, { $set: { hidden: false, hiddenReason: '' } }, { returnDocument: 'after' }).lean<BoardPostDoc>();
  if (!after) throw new NotFoundError();
  await recordAudit({ actor, action: 'board.post.restore', targetType: 'BoardPost', targetId: String(post._id), before: { hidden: post.hidden, hiddenReason: post.hiddenReason }, after: { hidden: false }, at: now });
  return after;
}

// ---------------------------------------------------------------------------------------------
// The report queue

export interface ReportView {
  _id: Types.ObjectId;
  reason: string;
  reporterName: string;
  createdAt: Date;
  status: ReportStatus;
  handledByName: string;
  handledAt: Date | null;
  postId: string;
  threadId: string;
  threadTitle: string;
  postAuthorName: string;
  postExcerpt: string;
  postHidden: boolean;
  postDeleted: boolean;
}

export async function listReports(actor: Actor | undefined, status: ReportStatus, page: { skip: number; perPage: number }): Promise<{ reports: ReportView[]; total: number; openCount: number }> {
  assertRole(actor, 'organizer');
  const [reports, total, openCount] = await Promise.all([
    BoardReport.find({ status }).sort(status === 'open' ? { createdAt: 1, _id: 1 } : { handledAt: -1, _id: -1 }).skip(page.skip).limit(page.perPage).lean<BoardReportDoc[]>(),
    BoardReport.countDocuments({ status }),
    BoardReport.countDocuments({ status: 'open' }),
  ]);
  const posts = await BoardPost.find({ _id: trusted({ $in: reports.map((r) => r.post) }) }).lean<BoardPostDoc[]>();
  const postById = new Map(posts.map((p) => [String(p._id), p]));
  const threads = await BoardThread.find({ _id: trusted({ $in: reports.map((r) => r.thread) }) }, { title: 1 }).lean();
  const threadById = new Map(threads.map((t) => [String(t._id), t]));
  return {
    total,
    openCount,
    reports: reports.map((r) => {
      const post = postById.get(String(r.post));
      return {
        _id: r._id,
        reason: r.reason,
        reporterName: r.reporterName,
        createdAt: r.createdAt,
        status: r.status,
        handledByName: r.handledByName,
        handledAt: r.handledAt,
        postId: String(r.post),
        threadId: String(r.thread),
        threadTitle: threadById.get(String(r.thread))?.title ?? '',
        postAuthorName: post?.authorName ?? '',
        postExcerpt: post ? markdownExcerpt(post.body, 400) : '',
        postHidden: post?.hidden ?? false,
        postDeleted: !!post?.deletedAt,
      };
    }),
  };
}

export const ReportDecisionForm = z.object({ decision: z.enum(['resolve', 'dismiss', 'hide']) });

/**
 * Closes an open report: resolve (dealt with), dismiss (nothing wrong), or hide the post with the
 * report's reason and resolve. Only an open report can be decided (a second click gets 409).
 */
export async function decideReport(actor: Actor | undefined, reportId: unknown, decision: 'resolve' | 'dismiss' | 'hide', now: Date): Promise<void> {
  assertRole(actor, 'organizer');
  if (!validId(reportId)) throw new NotFoundError();
  const report = await BoardReport.findById(reportId).lean<BoardReportDoc>();
  if (!report) throw new NotFoundError();
  const status: ReportStatus = decision === 'dismiss' ? 'dismissed' : 'resolved';
  const updated = await BoardReport.findOneAndUpdate(
    { _id: report._id, status: 'open' },
    { $set: { status, handledBy: new Types.ObjectId(actor.id), handledByName: actor.name, handledAt: now } },
  ).lean(); // the document as it was: null means someone decided it first
  if (!updated) throw new ConflictError('board:reports.alreadyHandled');
  if (decision === 'hide') await hidePost(actor, String(report.post), report.reason, now);
  await recordAudit({ actor, action: `board.report.${decision}`, targetType: 'BoardReport', targetId: String(report._id), note: report.reason, at: now });
}
