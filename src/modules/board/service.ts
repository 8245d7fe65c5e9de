/**
 * Threads and posts: lists, reading a thread page by page, starting a thread, replying, quoting,
 * editing and deleting one's own posts, reporting a post, searching the board.
 *
 * Visibility: hidden threads and hidden posts exist only for the organizer; for everyone else they
 * are not there at all (404, left out of lists, counts and search). A deleted post keeps its place
 * in the thread with its text removed.
 */
import { Types, trusted } from 'mongoose';
import { z } from 'zod';
import type { Actor, Clock } from '../../kernel';
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationError, isObjectId, objectIdOr404 } from '../../kernel';
import { fields } from '../../web/forms';
import { MARKDOWN_VERSION, markdownExcerpt, renderMarkdown } from '../../web/markdown';
import type { Mailer } from '../../web/mail';
import { checkPostingLimit, type RateLimiter } from '../../web/rate-limit';
import { queryTerms, runSearch, textTerms } from '../../web/search';
import { findCategoryById, findCategoryBySlug, listCategories, type CategoryView } from './categories';
import { BoardCategory, BoardPost, BoardReport, BoardThread, type BoardPostDoc, type BoardThreadDoc } from './model';
import { isSubscribed, notifySubscribers, recordVisit, subscribe } from './subscriptions';

export const TITLE_MAX = 200;
export const BODY_MAX = 20_000;
export const REASON_MAX = 500;
export const THREADS_PER_PAGE = 20;
export const POSTS_PER_PAGE = 20;
export const SEARCH_PER_PAGE = 20;

/** An optional id of the post being quoted (the reply form's hidden field). */
const quoteField = z.preprocess((v) => (v === '' ? undefined : v), fields.objectId().optional());

export const ThreadForm = z.object({ title: fields.text(TITLE_MAX), body: fields.text(BODY_MAX) });
export const ReplyForm = z.object({ body: fields.text(BODY_MAX), quote: quoteField });
export const EditPostForm = z.object({ title: fields.optionalText(TITLE_MAX), body: fields.text(BODY_MAX) });
export const ReasonForm = z.object({ reason: fields.text(REASON_MAX) });
export type ThreadInput = z.infer<typeof ThreadForm>;
export type ReplyInput = z.infer<typeof ReplyForm>;
export type EditPostInput = z.infer<typeof EditPostForm>;

/** What the board's services are built from (once, at start-up). */
export interface BoardDeps {
  mailer: Mailer;
  clock: Clock;
  baseUrl: string;
  /** Signs the one-click unsubscribe links. */
  secret: string;
  /** Counts posts of new accounts (keyed by user id). */
  postingLimiter?: RateLimiter;
}

const isOrganizer = (actor: Actor | undefined) => actor?.role === 'organizer';
const oid = (id: string) => new Types.ObjectId(id);

/** Markdown → safe HTML; refuses a body that has nothing left once sanitised (e.g. only a script). */
function renderBody(body: string): string {
  const html = renderMarkdown(body, 'board');
  const visible = html.replace(/<(?!img\b)[^>]*>/g, '').replace(/&nbsp;|\s/g, '');
  if (!visible) throw new ValidationError({ body: { key: 'board:errors.emptyAfterSanitize' } });
  return html;
}

// ---------------------------------------------------------------------------------------------
// Reading

export type ThreadSummary = Pick<
  BoardThreadDoc,
  '_id' | 'category' | 'title' | 'authorName' | 'createdAt' | 'lastActivityAt' | 'lastPosterName' | 'replyCount' | 'pinned' | 'locked' | 'hidden' | 'hiddenReason'
>;
const SUMMARY_FIELDS = { category: 1, title: 1, authorName: 1, createdAt: 1, lastActivityAt: 1, lastPosterName: 1, replyCount: 1, pinned: 1, locked: 1, hidden: 1, hiddenReason: 1 };

/** Threads of a category: pinned first, then by last activity (newest first). */
export async function listThreads(actor: Actor | undefined, slug: string, page: { skip: number; perPage: number }): Promise<{ category: CategoryView; threads: ThreadSummary[]; total: number }> {
  const category = await findCategoryBySlug(slug);
  const filter: Record<string, unknown> = { category: category._id };
  if (!isOrganizer(actor)) filter.hidden = false;
  const [threads, total] = await Promise.all([
    BoardThread.find(filter, SUMMARY_FIELDS).sort({ pinned: -1, lastActivityAt: -1, _id: -1 }).skip(page.skip).limit(page.perPage).lean<ThreadSummary[]>(),
    BoardThread.countDocuments(filter),
  ]);
  return { category, threads, total };
}

/** The newest active threads across the board (home page). */
export async function latestThreads(limit = 5): Promise<(ThreadSummary & { categorySlug: string; categoryName: CategoryView['name'] })[]> {
  const threads = await BoardThread.find({ hidden: false }, SUMMARY_FIELDS).sort({ lastActivityAt: -1, _id: -1 }).limit(limit).lean<ThreadSummary[]>();
  const categories = await listCategories();
  const byId = new Map(categories.map((c) => [String(c._id), c]));
  return threads.map((t) => ({ ...t, categorySlug: byId.get(String(t.category))?.slug ?? '', categoryName: byId.get(String(t.category))?.name ?? { en: '', 'zh-CN': '' } }));
}

/** A thread the actor may see, or 404 (forged id, unknown, or hidden from a non-organizer). */
export async function findVisibleThread(actor: Actor | undefined, id: unknown): Promise<BoardThreadDoc> {
  const thread = await BoardThread.findById(objectIdOr404(id)).lean<BoardThreadDoc>();
  if (!thread || (thread.hidden && !isOrganizer(actor))) throw new NotFoundError();
  return thread;
}

/** A post the actor may see (its thread visible too), or 404. */
export async function findVisiblePost(actor: Actor | undefined, id: unknown): Promise<{ post: BoardPostDoc; thread: BoardThreadDoc }> {
  const post = await BoardPost.findById(objectIdOr404(id)).lean<BoardPostDoc>();
  if (!post || (post.hidden && !isOrganizer(actor))) throw new NotFoundError();
  const thread = await findVisibleThread(actor, String(post.thread));
  return { post, thread };
}

/**
 * What a reply shows of the post it quotes, read from that post now: its author and HTML while it
 * is there, or only that it was hidden or deleted (its text never outlives it inside a quote).
 */
export type QuotedView = { state: 'shown'; postId: string; authorName: string; html: string } | { state: 'hidden' | 'deleted'; postId: string };

export interface PostView extends Omit<BoardPostDoc, 'searchTerms'> {
  mine: boolean;
  quoted: QuotedView | null;
}

export interface ThreadPage {
  thread: BoardThreadDoc;
  category: CategoryView;
  posts: PostView[];
  total: number;
  subscribed: boolean;
}

/** The quoted posts of a page of posts, as each reply shows them now. */
async function quotedViews(posts: Pick<BoardPostDoc, 'quote'>[]): Promise<Map<string, QuotedView>> {
  const ids = [...new Set(posts.map((p) => p.quote).filter((q): q is Types.ObjectId => !!q).map(String))];
  if (!ids.length) return new Map();
  const quoted = await BoardPost.find({ _id: trusted({ $in: ids.map(oid) }) }, { authorName: 1, html: 1, hidden: 1, deletedAt: 1 }).lean<BoardPostDoc[]>();
  return new Map(
    quoted.map((q): [string, QuotedView] => {
      const postId = String(q._id);
      if (q.hidden) return [postId, { state: 'hidden', postId }];
      if (q.deletedAt) return [postId, { state: 'deleted', postId }];
      return [postId, { state: 'shown', postId, authorName: q.authorName, html: q.html }];
    }),
  );
}

/** One page of a thread's posts in order. A logged-in visit re-arms the reader's reply e-mail. */
export async function readThread(deps: BoardDeps, actor: Actor | undefined, id: unknown, page: { skip: number; perPage: number }): Promise<ThreadPage> {
  const thread = await findVisibleThread(actor, id);
  const category = await findCategoryById(thread.category);
  const filter: Record<string, unknown> = { thread: thread._id };
  if (!isOrganizer(actor)) filter.hidden = false;
  const [posts, total, subscribed] = await Promise.all([
    BoardPost.find(filter).sort({ number: 1 }).skip(page.skip).limit(page.perPage).lean<BoardPostDoc[]>(),
    BoardPost.countDocuments(filter),
    isSubscribed(actor, thread._id),
  ]);
  const quotes = await quotedViews(posts);
  await recordVisit(deps, actor, thread._id);
  return {
    thread,
    category,
    total,
    subscribed,
    posts: posts.map((p) => ({
      ...p,
      mine: !!actor && String(p.author) === actor.id,
      quoted: p.quote ? (quotes.get(String(p.quote)) ?? { state: 'deleted', postId: String(p.quote) }) : null,
    })),
  };
}

/** The page of its thread a post is on (for /board/posts/:id and links in e-mails). */
export async function locatePost(actor: Actor | undefined, postId: unknown, perPage = POSTS_PER_PAGE): Promise<{ threadId: string; postId: string; page: number }> {
  const { post, thread } = await findVisiblePost(actor, postId);
  const before: Record<string, unknown> = { thread: thread._id, number: trusted({ $lt: post.number }) };
  if (!isOrganizer(actor)) before.hidden = false;
  const earlier = await BoardPost.countDocuments(before);
  return { threadId: String(thread._id), postId: String(post._id), page: Math.floor(earlier / perPage) + 1 };
}

export function postHref(loc: { threadId: string; postId: string; page: number }): string {
  return `/board/threads/${loc.threadId}${loc.page > 1 ? `?page=${loc.page}` : ''}#post-${loc.postId}`;
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Starts a thread in a category: the thread, its opening post, and the author's subscription. */
export async function createThread(deps: BoardDeps, actor: Actor | undefined, slug: string, input: ThreadInput): Promise<BoardThreadDoc> {
  if (!actor) throw new UnauthenticatedError();
  const category = await findCategoryBySlug(slug);
  const html = renderBody(input.body);
  const now = deps.clock();
  await checkPostingLimit(deps.postingLimiter, actor, now);
  const thread = await BoardThread.create({
    category: category._id,
    title: input.title,
    author: oid(actor.id),
    authorName: actor.name,
    createdAt: now,
    lastActivityAt: now,
    lastPosterName: actor.name,
    postCount: 1,
    replyCount: 0,
  });
  try {
    await BoardPost.create({
      thread: thread._id,
      category: category._id,
      number: 1,
      author: oid(actor.id),
      authorName: actor.name,
      body: input.body,
      html,
      htmlVersion: MARKDOWN_VERSION,
      createdAt: now,
      searchTerms: textTerms(input.title, input.body),
    });
  } catch (err) {
    // Without its opening post the thread must not stay.
    await BoardThread.deleteOne({ _id: thread._id });
    throw err;
  }
  await subscribe(deps, actor, thread._id);
  return thread.toObject();
}

/** Why a thread refuses replies, as a ConflictError with a clear message (or 404 when not visible). */
function refusal(actor: Actor, thread: BoardThreadDoc | null): Error {
  if (!thread || (thread.hidden && !isOrganizer(actor))) return new NotFoundError();
  if (thread.hidden) return new ConflictError('board:errors.hiddenThread');
  if (thread.locked) return new ConflictError('board:errors.locked');
  return new ConflictError('errors:conflict.message');
}

/** Checks that the actor may reply now (before showing the reply form). */
export async function assertCanReply(actor: Actor | undefined, threadId: unknown): Promise<BoardThreadDoc> {
  if (!actor) throw new UnauthenticatedError();
  const thread = await findVisibleThread(actor, threadId);
  if (thread.hidden || thread.locked) throw refusal(actor, thread);
  return thread;
}

/** The post a reply may quote: one of the same thread, visible, not deleted; anything else is a field error. */
async function quotablePost(thread: Pick<BoardThreadDoc, '_id'>, postId: string | undefined): Promise<BoardPostDoc | null> {
  if (!postId) return null;
  const post = await BoardPost.findOne({ _id: oid(postId), thread: thread._id }).lean<BoardPostDoc>();
  if (!post || post.deletedAt || post.hidden) throw new ValidationError({ body: { key: 'board:errors.quoteGone' } });
  return post;
}

/**
 * Adds a reply. The thread's place counter moves only if the thread is still open (one conditional
 * update), so a reply never slips into a thread locked or hidden a moment before. A quote is kept
 * as a reference to the quoted post, shown from that post when the thread is read.
 */
export async function reply(deps: BoardDeps, actor: Actor | undefined, threadId: unknown, input: ReplyInput): Promise<BoardPostDoc> {
  if (!actor) throw new UnauthenticatedError();
  const current = await findVisibleThread(actor, threadId);
  if (current.hidden || current.locked) throw refusal(actor, current);
  const html = renderBody(input.body);
  const quoted = await quotablePost(current, input.quote);
  const now = deps.clock();
  await checkPostingLimit(deps.postingLimiter, actor, now);
  const thread = await BoardThread.findOneAndUpdate(
    { _id: current._id, locked: false, hidden: false },
    { $inc: { postCount: 1, replyCount: 1 }, $set: { lastActivityAt: now, lastPosterName: actor.name } },
    { returnDocument: 'after' },
  ).lean<BoardThreadDoc>();
  if (!thread) throw refusal(actor, await BoardThread.findById(current._id).lean<BoardThreadDoc>());
  let post;
  try {
    post = await BoardPost.create({
      thread: thread._id,
      category: thread.category,
      number: thread.postCount,
      author: oid(actor.id),
      authorName: actor.name,
      body: input.body,
      html,
      htmlVersion: MARKDOWN_VERSION,
      quote: quoted?._id ?? null,
      createdAt: now,
      searchTerms: textTerms(input.body),
    });
  } catch (err) {
    await BoardThread.updateOne({ _id: thread._id, replyCount: trusted({ $gt: 0 }) }, { $inc: { replyCount: -1 } });
    throw err;
  }
  await notifySubscribers(deps, thread, post);
  return post.toObject();
}

/** The post a reply form quotes (shown above the form, sent back as a reference), or null when it cannot be quoted. */
export async function quoteCandidate(threadId: Types.ObjectId, postId: unknown): Promise<{ postId: string; authorName: string; html: string } | null> {
  if (!isObjectId(postId)) return null;
  const post = await BoardPost.findOne({ _id: oid(postId), thread: threadId, hidden: false, deletedAt: null }, { authorName: 1, html: 1 }).lean<BoardPostDoc>();
  return post ? { postId: String(post._id), authorName: post.authorName, html: post.html } : null;
}

/** One's own post, still editable (not deleted, not hidden, thread open), or the reason why not. */
async function ownEditablePost(actor: Actor | undefined, postId: unknown): Promise<{ post: BoardPostDoc; thread: BoardThreadDoc }> {
  if (!actor) throw new UnauthenticatedError();
  const found = await findVisiblePost(actor, postId);
  // Someone else's post: as if there were nothing to edit here.
  if (String(found.post.author) !== actor.id) throw new NotFoundError();
  if (found.post.deletedAt) throw new ConflictError('board:errors.deleted');
  if (found.post.hidden) throw new ConflictError('board:errors.hiddenPost');
  return found;
}

export async function loadPostForEdit(actor: Actor | undefined, postId: unknown): Promise<{ post: BoardPostDoc; thread: BoardThreadDoc }> {
  const found = await ownEditablePost(actor, postId);
  if (found.thread.locked) throw new ConflictError('board:errors.lockedEdit');
  return found;
}

/** One's own post that may be deleted (for the confirmation page). */
export async function loadPostForDelete(actor: Actor | undefined, postId: unknown): Promise<{ post: BoardPostDoc; thread: BoardThreadDoc }> {
  return ownEditablePost(actor, postId);
}

/** Edits one's own post (and the thread's title when it is the opening post); marks it edited. */
export async function editPost(deps: BoardDeps, actor: Actor | undefined, postId: unknown, input: EditPostInput): Promise<BoardPostDoc> {
  const { post, thread } = await loadPostForEdit(actor, postId);
  const isOpening = post.number === 1;
  if (isOpening && !input.title) throw new ValidationError({ title: { key: 'validation:required' } });
  const html = renderBody(input.body);
  const title = isOpening ? input.title! : thread.title;
  const updated = await BoardPost.findOneAndUpdate(
    { _id: post._id, author: post.author, deletedAt: null, hidden: false },
    { $set: { body: input.body, html, htmlVersion: MARKDOWN_VERSION, editedAt: deps.clock(), searchTerms: isOpening ? textTerms(title, input.body) : textTerms(input.body) } },
    { returnDocument: 'after' },
  ).lean<BoardPostDoc>();
  if (!updated) throw new ConflictError('errors:conflict.message');
  if (isOpening && title !== thread.title) await BoardThread.updateOne({ _id: thread._id }, { $set: { title } });
  return updated;
}

/** Deletes one's own post: the text goes, the place stays with a "deleted" note. */
export async function deletePost(deps: BoardDeps, actor: Actor | undefined, postId: unknown): Promise<BoardPostDoc> {
  const { post } = await ownEditablePost(actor, postId);
  const changes = { body: '', html: '', searchTerms: [], deletedAt: deps.clock() };
  // The document as it was: null means it was deleted meanwhile.
  const before = await BoardPost.findOneAndUpdate({ _id: post._id, author: post.author, deletedAt: null }, { $set: changes }).lean<BoardPostDoc>();
  if (!before) throw new ConflictError('board:errors.deleted');
  return { ...before, ...changes };
}

/** Any logged-in user reports a post with a reason; a second report by the same person while the first is open is kept as one. */
export async function reportPost(deps: BoardDeps, actor: Actor | undefined, postId: unknown, reason: string): Promise<void> {
  if (!actor) throw new UnauthenticatedError();
  const { post } = await findVisiblePost(actor, postId);
  if (post.deletedAt) throw new ConflictError('board:errors.deleted');
  await BoardReport.updateOne(
    { post: post._id, reporter: oid(actor.id), status: 'open' },
    { $set: { reason }, $setOnInsert: { thread: post.thread, reporterName: actor.name, createdAt: deps.clock() } },
    { upsert: true },
  );
}

// ---------------------------------------------------------------------------------------------
// Search

export interface SearchHit {
  postId: string;
  threadId: string;
  threadTitle: string;
  categorySlug: string;
  categoryName: CategoryView['name'];
  authorName: string;
  createdAt: Date;
  excerpt: string;
  isOpening: boolean;
}

/** Searches thread titles and posts (the visible ones), ranked by matching terms, then newest first. */
export async function searchBoard(q: unknown, page: { skip: number; perPage: number }): Promise<{ terms: string[]; hits: SearchHit[]; total: number }> {
  const terms = queryTerms(q);
  if (!terms.length) return { terms, hits: [], total: 0 };
  const { items, total } = await runSearch<BoardPostDoc>(BoardPost, {
    field: 'searchTerms',
    terms,
    match: { hidden: false, threadHidden: false, deletedAt: null },
    sortTie: { createdAt: -1 },
    skip: page.skip,
    limit: page.perPage,
    project: { searchTerms: 0, html: 0 },
  });
  const threads = await BoardThread.find({ _id: trusted({ $in: items.map((p) => p.thread) }) }, { title: 1, category: 1, hidden: 1 }).lean();
  const threadById = new Map(threads.map((t) => [String(t._id), t]));
  const categories = await listCategories();
  const categoryById = new Map(categories.map((c) => [String(c._id), c]));
  const hits: SearchHit[] = [];
  for (const p of items) {
    const thread = threadById.get(String(p.thread));
    if (!thread || thread.hidden) continue;
    const category = categoryById.get(String(thread.category));
    hits.push({
      postId: String(p._id),
      threadId: String(thread._id),
      threadTitle: thread.title,
      categorySlug: category?.slug ?? '',
      categoryName: category?.name ?? { en: '', 'zh-CN': '' },
      authorName: p.authorName,
      createdAt: p.createdAt,
      excerpt: markdownExcerpt(p.body, 240),
      isOpening: p.number === 1,
    });
  }
  return { terms, hits, total };
}

/**
 * Re-renders the posts whose HTML an older Markdown renderer made (start-up), so a change of the
 * sanitiser reaches old content. A post edited meanwhile (its body changed) is left to its edit.
 */
export async function rerenderStalePosts(): Promise<number> {
  let count = 0;
  for await (const post of BoardPost.find({ htmlVersion: trusted({ $ne: MARKDOWN_VERSION }) }, { body: 1 }).lean().cursor()) {
    const html = post.body ? renderMarkdown(post.body, 'board') : '';
    const res = await BoardPost.updateOne({ _id: post._id, body: post.body }, { $set: { html, htmlVersion: MARKDOWN_VERSION } });
    count += res.modifiedCount;
  }
  return count;
}
