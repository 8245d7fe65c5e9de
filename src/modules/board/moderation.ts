/**
 * The organizer's moderation: pin, lock, move, hide and restore threads; hide and restore posts
 * with a reason; the queue of reported posts. Every action is written to the audit log.
 */
import { Types, trusted } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../../kernel';
import { assertRole, objectIdOr404 } from '../../kernel';
import { ConflictError, NotFoundError, ValidationError } from '../../kernel';
import { fields } from '../../web/forms';
import { MARKDOWN_VERSION, markdownExcerpt, renderMarkdown } from '../../web/markdown';
import { textTerms } from '../../web/search';
import { reachablePerson } from '../accounts';
import { recordAudit } from '../audit';
import { findCategoryById } from './categories';
import { refreshThreadCounters } from './counters';
import { BoardPost, BoardReport, BoardThread, type BoardPostDoc, type BoardReportDoc, type BoardThreadDoc, type ReportStatus } from './model';
import { REASON_MAX, type BoardDeps } from './service';

export const THREAD_ACTIONS = ['pin', 'unpin', 'lock', 'unlock', 'hide', 'restore', 'move'] as const;

export const ThreadModerationForm = z.object({
  action: z.enum(THREAD_ACTIONS),
  reason: fields.optionalText(REASON_MAX),
  category: z.preprocess((v) => (v === '' ? undefined : v), fields.objectId().optional()),
});
export type ThreadModerationInput = z.infer<typeof ThreadModerationForm>;

const snapshot = (t: BoardThreadDoc) => ({ pinned: t.pinned, locked: t.locked, hidden: t.hidden, category: String(t.category), hiddenReason: t.hiddenReason });

export async function moderateThread(deps: BoardDeps, actor: Actor | undefined, threadId: unknown, input: ThreadModerationInput): Promise<BoardThreadDoc> {
  assertRole(actor, 'organizer');
  const before = await BoardThread.findById(objectIdOr404(threadId)).lean<BoardThreadDoc>();
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
  await recordAudit({ actor, action: `board.thread.${input.action}`, targetType: 'BoardThread', targetId: String(after._id), before: snapshot(before), after: snapshot(after), note: input.reason ?? '', at: deps.clock() });
  return after;
}

async function findPost(postId: unknown): Promise<BoardPostDoc> {
  const post = await BoardPost.findById(objectIdOr404(postId)).lean<BoardPostDoc>();
  if (!post) throw new NotFoundError();
  return post;
}

/** A post's search terms: its text, and for the opening post the thread's title too. */
async function searchTermsOf(post: Pick<BoardPostDoc, 'thread' | 'number' | 'body'>): Promise<string[]> {
  if (!post.body) return [];
  if (post.number !== 1) return textTerms(post.body);
  const thread = await BoardThread.findById(post.thread, { title: 1 }).lean();
  return textTerms(thread?.title ?? '', post.body);
}

/** The Markdown quote block the reply form used to copy into a reply's text (before quotes were references). */
function copiedQuote(body: string): string {
  return body
    .trim()
    .split(/\r?\n/)
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');
}

/**
 * Removes a hidden post's text from later replies of its thread that copied it as a Markdown quote
 * (its "wrote:" line included), and renders them again. Returns how many replies changed.
 */
async function scrubCopiedQuotes(post: BoardPostDoc): Promise<number> {
  const block = copiedQuote(post.body);
  if (!block) return 0;
  let changed = 0;
  const later = BoardPost.find({ thread: post.thread, number: trusted({ $gt: post.number }), deletedAt: null }, { body: 1, number: 1, thread: 1 }).lean<BoardPostDoc[]>().cursor();
  for await (const replyDoc of later) {
    if (!replyDoc.body.includes(block)) continue;
    const at = replyDoc.body.indexOf(block);
    // The quote's "<name> wrote:" line and its empty quote line just before the block go too.
    const head = replyDoc.body.slice(0, at).replace(/(^|\n)> [^\n]*\n>\n$/, '$1');
    const body = (head + replyDoc.body.slice(at + block.length)).trim();
    const html = body ? renderMarkdown(body, 'board') : '';
    const res = await BoardPost.updateOne(
      { _id: replyDoc._id, body: replyDoc.body },
      { $set: { body, html, htmlVersion: MARKDOWN_VERSION, searchTerms: await searchTermsOf({ ...replyDoc, body }) } },
    );
    changed += res.modifiedCount;
  }
  return changed;
}

/** Tells a post's author that the organizer hid it, and why (in the author's language). */
async function tellAuthorHidden(deps: BoardDeps, post: BoardPostDoc, reason: string): Promise<void> {
  const [author, thread] = await Promise.all([reachablePerson(post.author), BoardThread.findById(post.thread, { title: 1 }).lean()]);
  if (!author) return;
  await deps.mailer.notify(
    { email: author.email, name: author.name, language: author.language },
    {
      subject: { key: 'board:mail.hiddenSubject' },
      lines: [{ key: 'board:mail.hiddenLine', params: { title: thread?.title ?? '' } }, { key: 'board:mail.hiddenReason' }, { quote: reason }],
      action: { label: { key: 'board:mail.openThread' }, url: `${deps.baseUrl}/board/threads/${String(post.thread)}` },
    },
  );
}

/**
 * Hides a post with a reason: it leaves the search index at once (with its thread's title when it
 * is the opening post), replies that copied its text lose that text, its thread's counters follow,
 * and its author is told why. Hiding a hidden post again only changes the reason.
 */
export async function hidePost(deps: BoardDeps, actor: Actor | undefined, postId: unknown, reason: string): Promise<BoardPostDoc> {
  assertRole(actor, 'organizer');
  const post = await findPost(postId);
  const after = await BoardPost.findOneAndUpdate({ _id: post._id }, { $set: { hidden: true, hiddenReason: reason, searchTerms: [] } }, { returnDocument: 'after' }).lean<BoardPostDoc>();
  if (!after) throw new NotFoundError();
  await scrubCopiedQuotes(post);
  await refreshThreadCounters(post.thread);
  await recordAudit({ actor, action: 'board.post.hide', targetType: 'BoardPost', targetId: String(post._id), before: { hidden: post.hidden }, after: { hidden: true }, note: reason, at: deps.clock() });
  if (!post.hidden) await tellAuthorHidden(deps, after, reason);
  return after;
}

export async function restorePost(deps: BoardDeps, actor: Actor | undefined, postId: unknown): Promise<BoardPostDoc> {
  assertRole(actor, 'organizer');
  const post = await findPost(postId);
  const after = await BoardPost.findOneAndUpdate(
    { _id: post._id },
    { $set: { hidden: false, hiddenReason: '', searchTerms: await searchTermsOf(post) } },
    { returnDocument: 'after' },
  ).lean<BoardPostDoc>();
  if (!after) throw new NotFoundError();
  await refreshThreadCounters(post.thread);
  await recordAudit({ actor, action: 'board.post.restore', targetType: 'BoardPost', targetId: String(post._id), before: { hidden: post.hidden, hiddenReason: post.hiddenReason }, after: { hidden: false }, at: deps.clock() });
  return after;
}

// ---------------------------------------------------------------------------------------------
// The report queue

/** Reports still waiting for a decision (the organizer's pages show the number). */
export async function openReportCount(): Promise<number> {
  return BoardReport.countDocuments({ status: 'open' });
}

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
export async function decideReport(deps: BoardDeps, actor: Actor | undefined, reportId: unknown, decision: 'resolve' | 'dismiss' | 'hide'): Promise<void> {
  assertRole(actor, 'organizer');
  const report = await BoardReport.findById(objectIdOr404(reportId)).lean<BoardReportDoc>();
  if (!report) throw new NotFoundError();
  const status: ReportStatus = decision === 'dismiss' ? 'dismissed' : 'resolved';
  const now = deps.clock();
  const updated = await BoardReport.findOneAndUpdate(
    { _id: report._id, status: 'open' },
    { $set: { status, handledBy: new Types.ObjectId(actor.id), handledByName: actor.name, handledAt: now } },
  ).lean(); // the document as it was: null means someone decided it first
  if (!updated) throw new ConflictError('board:reports.alreadyHandled');
  if (decision === 'hide') await hidePost(deps, actor, String(report.post), report.reason);
  await recordAudit({ actor, action: `board.report.${decision}`, targetType: 'BoardReport', targetId: String(report._id), note: report.reason, at: now });
}
