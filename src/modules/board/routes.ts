/**
 * The board's pages: /board, /board/:category, /board/threads/:id, posts, search, the unsubscribe
 * link from e-mails, and the organizer's moderation forms on threads and posts.
 * Specific paths come before /board/:category (no category may take their names: RESERVED_SLUGS).
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../web/context';
import { actorOf, requireRole, requireUser } from '../../web/auth';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../kernel';
import { flash } from '../../web/flash';
import { parseForm } from '../../web/forms';
import { paginate, pageFrom } from '../../web/pagination';
import { createPostingLimiter } from '../../web/rate-limit';
import { listCategories, listCategoriesWithStats } from './categories';
import { ThreadModerationForm, hidePost, moderateThread, restorePost } from './moderation';
import {
  BODY_MAX,
  EditPostForm,
  POSTS_PER_PAGE,
  REASON_MAX,
  ReasonForm,
  ReplyForm,
  SEARCH_PER_PAGE,
  THREADS_PER_PAGE,
  TITLE_MAX,
  ThreadForm,
  assertCanReply,
  createThread,
  deletePost,
  editPost,
  findVisiblePost,
  findVisibleThread,
  listThreads,
  loadPostForEdit,
  locatePost,
  postHref,
  quoteOf,
  readThread,
  reply,
  reportPost,
  searchBoard,
  type PostingDeps,
} from './service';
import { describeUnsubscribe, subscribe, unsubscribe, unsubscribeByToken } from './subscriptions';

type Body = Record<string, unknown>;
const bodyOf = (req: Request): Body => (req.body ?? {}) as Body;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function boardRouter(ctx: AppContext): Router {
  const router = Router();
  // The same counter as the messages module ('posting', keyed by user id): one budget per new
  // account for everything it writes, so a spammer cannot double it by switching between the two.
  const postingLimiter = createPostingLimiter(ctx.connection, ctx.rateLimits.posting);
  const deps = (): PostingDeps => ({ now: ctx.now(), mailer: ctx.mailer, baseUrl: ctx.config.baseUrl, secret: ctx.config.sessionSecret, postingLimiter });
  const limits = { titleMax: TITLE_MAX, bodyMax: BODY_MAX, reasonMax: REASON_MAX };

  /** Re-renders a form with 422 when a service refuses the input field by field. */
  async function orFormErrors(res: Response, view: string, locals: Record<string, unknown>, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (err instanceof ValidationError) return void res.status(422).render(view, { ...locals, errors: err.fieldErrors });
      throw err;
    }
  }

  router.get('/board', async (req, res) => {
    const categories = await listCategoriesWithStats();
    res.render('board/index', { title: req.t('board:title'), categories });
  });

  router.get('/board/search', async (req, res) => {
    const q = str(req.query.q).slice(0, 200);
    const page = pageFrom(req.query, SEARCH_PER_PAGE);
    const { hits, total, terms } = await searchBoard(q, page);
    res.render('board/search', { title: req.t('board:search.title'), q, hits, searched: terms.length > 0, pagination: paginate('/board/search', req.query, page, total), total });
  });

  // ---- One-click unsubscribe from a reply e-mail (no login: the signed token says who and what).
  router.get('/board/unsubscribe', async (req, res) => {
    const info = await describeUnsubscribe(ctx.config.sessionSecret, req.query.token);
    if (!info) throw new NotFoundError('board:unsubscribe.invalid');
    res.render('board/unsubscribe', { title: req.t('board:unsubscribe.title'), token: str(req.query.token), threadTitle: info.title, subscribed: info.subscribed, done: false });
  });
  router.post('/board/unsubscribe', async (req, res) => {
    const token = bodyOf(req).token ?? req.query.token;
    const info = await describeUnsubscribe(ctx.config.sessionSecret, token);
    if (!info || !(await unsubscribeByToken(ctx.config.sessionSecret, token))) throw new NotFoundError('board:unsubscribe.invalid');
    res.render('board/unsubscribe', { title: req.t('board:unsubscribe.title'), token: '', threadTitle: info.title, subscribed: false, done: true });
  });

  // ---- Threads
  router.get('/board/threads/:id', async (req, res) => {
    const page = pageFrom(req.query, POSTS_PER_PAGE);
    const view = await readThread(req.user, req.params.id, page, ctx.now());
    const categories = req.user?.role === 'organizer' ? await listCategories() : [];
    res.render('board/thread', {
      title: view.thread.title,
      ...view,
      categories,
      pagination: paginate(`/board/threads/${String(view.thread._id)}`, req.query, page, view.total),
      values: { body: '' },
      errors: {},
      limits,
    });
  });

  const showReply = (req: Request, res: Response, thread: { _id: unknown; title: string }, values: { body: string }, errors: FieldErrors, status = 200) =>
    res.status(status).render('board/reply', { title: req.t('board:reply.title', { title: thread.title }), thread, values, errors, limits });

  router.get('/board/threads/:id/reply', requireUser, async (req, res) => {
    const thread = await assertCanReply(req.user, req.params.id);
    const quote = typeof req.query.quote === 'string' ? await quoteOf(req.user, req.query.quote, req.lang) : '';
    showReply(req, res, thread, { body: quote }, {});
  });

  router.post('/board/threads/:id/reply', requireUser, async (req, res) => {
    const thread = await findVisibleThread(req.user, req.params.id);
    const body = str(bodyOf(req).body);
    const form = parseForm(ReplyForm, bodyOf(req));
    if (!form.ok) return showReply(req, res, thread, { body }, form.errors, 422);
    try {
      const post = await reply(actorOf(req), req.params.id, form.data, deps());
      flash(req, 'success', 'board:flash.replied');
      res.redirect(303, postHref(await locatePost(req.user, String(post._id))));
    } catch (err) {
      if (err instanceof ValidationError) return showReply(req, res, thread, { body }, err.fieldErrors, 422);
      throw err;
    }
  });

  router.post('/board/threads/:id/subscribe', requireUser, async (req, res) => {
    const thread = await findVisibleThread(req.user, req.params.id);
    await subscribe(actorOf(req), thread._id, ctx.now());
    flash(req, 'success', 'board:flash.subscribed');
    res.redirect(303, `/board/threads/${String(thread._id)}`);
  });

  router.post('/board/threads/:id/unsubscribe', requireUser, async (req, res) => {
    const thread = await findVisibleThread(req.user, req.params.id);
    await unsubscribe(actorOf(req), thread._id);
    flash(req, 'success', 'board:flash.unsubscribed');
    res.redirect(303, `/board/threads/${String(thread._id)}`);
  });

  // ---- Moderation of threads (organizer)
  const showHideThread = (req: Request, res: Response, thread: { _id: unknown; title: string }, values: { reason: string }, errors: FieldErrors, status = 200) =>
    res.status(status).render('board/hide-thread', { title: req.t('board:moderation.hideThreadTitle'), thread, values, errors, limits });

  router.get('/board/threads/:id/hide', requireRole('organizer'), async (req, res) => {
    const thread = await findVisibleThread(req.user, req.params.id);
    showHideThread(req, res, thread, { reason: '' }, {});
  });

  router.post('/board/threads/:id/moderate', requireRole('organizer'), async (req, res) => {
    const thread = await findVisibleThread(req.user, req.params.id);
    const form = parseForm(ThreadModerationForm, bodyOf(req));
    const action = str(bodyOf(req).action);
    if (!form.ok) {
      if (action === 'hide') return showHideThread(req, res, thread, { reason: str(bodyOf(req).reason) }, form.errors, 422);
      throw new ValidationError(form.errors);
    }
    try {
      await moderateThread(req.user, req.params.id, form.data, ctx.now());
    } catch (err) {
      if (err instanceof ValidationError && form.data.action === 'hide') return showHideThread(req, res, thread, { reason: '' }, err.fieldErrors, 422);
      throw err;
    }
    flash(req, 'success', `board:moderation.done.${form.data.action}`);
    res.redirect(303, `/board/threads/${String(thread._id)}`);
  });

  // ---- Posts
  router.get('/board/posts/:id', async (req, res) => {
    res.redirect(302, postHref(await locatePost(req.user, req.params.id)));
  });

  const showEdit = (req: Request, res: Response, post: { _id: unknown; number: number }, thread: { _id: unknown; title: string }, values: { title: string; body: string }, errors: FieldErrors, status = 200) =>
    res.status(status).render('board/edit-post', { title: req.t('board:edit.title'), post, thread, values, errors, limits });

  router.get('/board/posts/:id/edit', requireUser, async (req, res) => {
    const { post, thread } = await loadPostForEdit(req.user, req.params.id);
    showEdit(req, res, post, thread, { title: thread.title, body: post.body }, {});
  });

  router.post('/board/posts/:id/edit', requireUser, async (req, res) => {
    const { post, thread } = await loadPostForEdit(req.user, req.params.id);
    const values = { title: str(bodyOf(req).title), body: str(bodyOf(req).body) };
    const form = parseForm(EditPostForm, bodyOf(req));
    if (!form.ok) return showEdit(req, res, post, thread, values, form.errors, 422);
    await orFormErrors(res, 'board/edit-post', { title: req.t('board:edit.title'), post, thread, values, limits }, async () => {
      await editPost(req.user, req.params.id, form.data, ctx.now());
      flash(req, 'success', 'board:flash.edited');
      res.redirect(303, postHref(await locatePost(req.user, String(post._id))));
    });
  });

  router.get('/board/posts/:id/delete', requireUser, async (req, res) => {
    const { post, thread } = await findVisiblePost(req.user, req.params.id);
    if (String(post.author) !== req.user!.id) throw new NotFoundError();
    if (post.deletedAt) throw new ConflictError('board:errors.deleted');
    res.render('board/delete-post', { title: req.t('board:delete.title'), post, thread });
  });

  router.post('/board/posts/:id/delete', requireUser, async (req, res) => {
    const post = await deletePost(req.user, req.params.id, ctx.now());
    flash(req, 'success', 'board:flash.deleted');
    res.redirect(303, postHref(await locatePost(req.user, String(post._id))));
  });

  const showReport = (req: Request, res: Response, post: { _id: unknown; authorName: string }, thread: { _id: unknown; title: string }, values: { reason: string }, errors: FieldErrors, status = 200) =>
    res.status(status).render('board/report', { title: req.t('board:report.title'), post, thread, values, errors, limits });

  router.get('/board/posts/:id/report', requireUser, async (req, res) => {
    const { post, thread } = await findVisiblePost(req.user, req.params.id);
    showReport(req, res, post, thread, { reason: '' }, {});
  });

  router.post('/board/posts/:id/report', requireUser, async (req, res) => {
    const { post, thread } = await findVisiblePost(req.user, req.params.id);
    const form = parseForm(ReasonForm, bodyOf(req));
    if (!form.ok) return showReport(req, res, post, thread, { reason: str(bodyOf(req).reason) }, form.errors, 422);
    await reportPost(req.user, req.params.id, form.data.reason, ctx.now());
    flash(req, 'success', 'board:flash.reported');
    res.redirect(303, postHref(await locatePost(req.user, String(post._id))));
  });

  const showHidePost = (req: Request, res: Response, post: { _id: unknown; authorName: string }, thread: { _id: unknown; title: string }, values: { reason: string }, errors: FieldErrors, status = 200) =>
    res.status(status).render('board/hide-post', { title: req.t('board:moderation.hidePostTitle'), post, thread, values, errors, limits });

  router.get('/board/posts/:id/hide', requireRole('organizer'), async (req, res) => {
    const { post, thread } = await findVisiblePost(req.user, req.params.id);
    showHidePost(req, res, post, thread, { reason: '' }, {});
  });

  router.post('/board/posts/:id/hide', requireRole('organizer'), async (req, res) => {
    const { post, thread } = await findVisiblePost(req.user, req.params.id);
    const form = parseForm(ReasonForm, bodyOf(req));
    if (!form.ok) return showHidePost(req, res, post, thread, { reason: str(bodyOf(req).reason) }, form.errors, 422);
    await hidePost(req.user, req.params.id, form.data.reason, ctx.now());
    flash(req, 'success', 'board:moderation.done.hidePost');
    res.redirect(303, postHref(await locatePost(req.user, String(post._id))));
  });

  router.post('/board/posts/:id/restore', requireRole('organizer'), async (req, res) => {
    const post = await restorePost(req.user, req.params.id, ctx.now());
    flash(req, 'success', 'board:moderation.done.restorePost');
    res.redirect(303, postHref(await locatePost(req.user, String(post._id))));
  });

  // ---- Categories (last: /board/:category takes any other single segment)
  router.get('/board/:category', async (req, res) => {
    const page = pageFrom(req.query, THREADS_PER_PAGE);
    const { category, threads, total } = await listThreads(req.user, req.params.category, page);
    res.render('board/category', { title: category.name[req.lang] || category.name.en, category, threads, pagination: paginate(`/board/${category.slug}`, req.query, page, total) });
  });

  const showNewThread = async (req: Request, res: Response, values: { title: string; body: string }, errors: FieldErrors, status = 200) => {
    const { category } = await listThreads(req.user, str(req.params.category), { skip: 0, perPage: 1 });
    res.status(status).render('board/new-thread', { title: req.t('board:newThread.title'), category, values, errors, limits });
  };

  router.get('/board/:category/new', requireUser, async (req, res) => {
    await showNewThread(req, res, { title: '', body: '' }, {});
  });

  router.post('/board/:category/new', requireUser, async (req, res) => {
    const values = { title: str(bodyOf(req).title), body: str(bodyOf(req).body) };
    const form = parseForm(ThreadForm, bodyOf(req));
    if (!form.ok) return showNewThread(req, res, values, form.errors, 422);
    try {
      const thread = await createThread(actorOf(req), str(req.params.category), form.data, deps());
      flash(req, 'success', 'board:flash.threadCreated');
      res.redirect(303, `/board/threads/${String(thread._id)}`);
    } catch (err) {
      if (err instanceof ValidationError) return showNewThread(req, res, values, err.fieldErrors, 422);
      throw err;
    }
  });

  return router;
}


