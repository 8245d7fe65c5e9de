/**
 * The board's pages: /board, /board/:category, /board/threads/:id, posts, search, the unsubscribe
 * link from e-mails, and the organizer's moderation forms on threads and posts.
 * Specific paths come before /board/:category (no category may take their names: RESERVED_SLUGS).
 */
import { Router, type Request, type Response } from 'express';
import { NotFoundError } from '../../kernel';
import { actorOf, requireRole, requireUser } from '../../web/auth';
import { flash } from '../../web/flash';
import { formHandler, type FormState } from '../../web/forms';
import { paginate, pageFrom } from '../../web/pagination';
import { ThreadModerationForm } from './moderation';
import { BODY_MAX, EditPostForm, POSTS_PER_PAGE, REASON_MAX, ReasonForm, ReplyForm, SEARCH_PER_PAGE, THREADS_PER_PAGE, TITLE_MAX, ThreadForm, postHref } from './service';
import type { BoardService } from './services';

const limits = { titleMax: TITLE_MAX, bodyMax: BODY_MAX, reasonMax: REASON_MAX };
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const blank: FormState = { values: {}, errors: {} };

export function boardRouter(board: BoardService): Router {
  const router = Router();
  router.use(readingRoutes(board));
  router.use(threadRoutes(board));
  router.use(postRoutes(board));
  router.use(categoryRoutes(board));
  return router;
}

/** The board's front page, search, and the one-click unsubscribe from a reply e-mail. */
function readingRoutes(board: BoardService): Router {
  const router = Router();
  router.get('/board', async (req, res) => {
    const categories = await board.listCategoriesWithStats();
    res.render('board/index', { title: req.t('board:title'), categories });
  });

  router.get('/board/search', async (req, res) => {
    const q = str(req.query.q).slice(0, 200);
    const page = pageFrom(req.query, SEARCH_PER_PAGE);
    const { hits, total, terms } = await board.searchBoard(q, page);
    res.render('board/search', { title: req.t('board:search.title'), q, hits, searched: terms.length > 0, pagination: paginate('/board/search', req.query, page, total), total });
  });

  // No login: the signed token says who and what.
  router.get('/board/unsubscribe', async (req, res) => {
    const info = await board.describeUnsubscribe(req.query.token);
    if (!info) throw new NotFoundError('board:unsubscribe.invalid');
    res.render('board/unsubscribe', { title: req.t('board:unsubscribe.title'), token: str(req.query.token), threadTitle: info.title, subscribed: info.subscribed, done: false });
  });
  router.post('/board/unsubscribe', async (req, res) => {
    const token = (req.body as Record<string, unknown> | undefined)?.token ?? req.query.token;
    const info = await board.describeUnsubscribe(token);
    if (!info || !(await board.unsubscribeByToken(token))) throw new NotFoundError('board:unsubscribe.invalid');
    res.render('board/unsubscribe', { title: req.t('board:unsubscribe.title'), token: '', threadTitle: info.title, subscribed: false, done: true });
  });
  return router;
}

/** A thread: reading, replying (with a quote), subscribing, and the organizer's moderation. */
function threadRoutes(board: BoardService): Router {
  const router = Router();
  router.get('/board/threads/:id', async (req, res) => {
    const page = pageFrom(req.query, POSTS_PER_PAGE);
    const view = await board.readThread(req.user, req.params.id, page);
    const categories = req.user?.role === 'organizer' ? await board.listCategories() : [];
    const pagination = paginate(`/board/threads/${String(view.thread._id)}`, req.query, page, view.total);
    res.render('board/thread', { title: view.thread.title, ...view, categories, pagination, values: { body: '' }, errors: {}, limits });
  });

  const showReply = async (req: Request, res: Response, state: FormState) => {
    const thread = await board.assertCanReply(req.user, req.params.id);
    const quoteId = state.values.quote ?? req.query.quote;
    const quoted = await board.quoteCandidate(thread._id, quoteId);
    res.render('board/reply', { title: req.t('board:reply.title', { title: thread.title }), thread, quoted, values: { body: '', ...state.values }, errors: state.errors, limits });
  };
  router.get('/board/threads/:id/reply', requireUser, (req, res) => showReply(req, res, blank));
  router.post('/board/threads/:id/reply', requireUser, formHandler({
    body: ReplyForm,
    render: showReply,
    async handle(req, res, { body }) {
      const post = await board.reply(actorOf(req), req.params.id, body);
      flash(req, 'success', 'board:flash.replied');
      res.redirect(303, postHref(await board.locatePost(req.user, String(post._id))));
    },
  }));

  for (const action of ['subscribe', 'unsubscribe'] as const) {
    router.post(`/board/threads/:id/${action}`, requireUser, async (req, res) => {
      const thread = await board.findVisibleThread(req.user, req.params.id);
      if (action === 'subscribe') await board.subscribe(actorOf(req), thread._id);
      else await board.unsubscribe(actorOf(req), thread._id);
      flash(req, 'success', `board:flash.${action}d`);
      res.redirect(303, `/board/threads/${String(thread._id)}`);
    });
  }

  const showHideThread = async (req: Request, res: Response, state: FormState) => {
    const thread = await board.findVisibleThread(req.user, req.params.id);
    res.render('board/hide-thread', { title: req.t('board:moderation.hideThreadTitle'), thread, values: { reason: '', ...state.values }, errors: state.errors, limits });
  };
  router.get('/board/threads/:id/hide', requireRole('organizer'), (req, res) => showHideThread(req, res, blank));
  router.post('/board/threads/:id/moderate', requireRole('organizer'), formHandler({
    body: ThreadModerationForm,
    render: showHideThread,
    async handle(req, res, { body }) {
      const thread = await board.moderateThread(req.user, req.params.id, body);
      flash(req, 'success', `board:moderation.done.${body.action}`);
      res.redirect(303, `/board/threads/${String(thread._id)}`);
    },
  }));
  return router;
}

/** A post: its permalink, editing and deleting one's own, reporting, and hiding (organizer). */
function postRoutes(board: BoardService): Router {
  const router = Router();
  const backTo = async (req: Request, res: Response, postId: unknown) => res.redirect(303, postHref(await board.locatePost(req.user, String(postId))));

  router.get('/board/posts/:id', async (req, res) => {
    res.redirect(302, postHref(await board.locatePost(req.user, req.params.id)));
  });

  const showEdit = async (req: Request, res: Response, state: FormState) => {
    const { post, thread } = await board.loadPostForEdit(req.user, req.params.id);
    const values = { title: thread.title, body: post.body, ...state.values };
    res.render('board/edit-post', { title: req.t('board:edit.title'), post, thread, values, errors: state.errors, limits });
  };
  router.get('/board/posts/:id/edit', requireUser, (req, res) => showEdit(req, res, blank));
  router.post('/board/posts/:id/edit', requireUser, formHandler({
    body: EditPostForm,
    render: showEdit,
    async handle(req, res, { body }) {
      const post = await board.editPost(req.user, req.params.id, body);
      flash(req, 'success', 'board:flash.edited');
      await backTo(req, res, post._id);
    },
  }));

  router.get('/board/posts/:id/delete', requireUser, async (req, res) => {
    const { post, thread } = await board.loadPostForDelete(req.user, req.params.id);
    res.render('board/delete-post', { title: req.t('board:delete.title'), post, thread });
  });
  router.post('/board/posts/:id/delete', requireUser, async (req, res) => {
    const post = await board.deletePost(req.user, req.params.id);
    flash(req, 'success', 'board:flash.deleted');
    await backTo(req, res, post._id);
  });

  const reasonPage = (view: 'report' | 'hide-post', titleKey: string) => async (req: Request, res: Response, state: FormState) => {
    const { post, thread } = await board.findVisiblePost(req.user, req.params.id);
    res.render(`board/${view}`, { title: req.t(titleKey), post, thread, values: { reason: '', ...state.values }, errors: state.errors, limits });
  };
  const showReport = reasonPage('report', 'board:report.title');
  const showHidePost = reasonPage('hide-post', 'board:moderation.hidePostTitle');
  router.get('/board/posts/:id/report', requireUser, (req, res) => showReport(req, res, blank));
  router.post('/board/posts/:id/report', requireUser, formHandler({
    body: ReasonForm,
    render: showReport,
    async handle(req, res, { body }) {
      await board.reportPost(req.user, req.params.id, body.reason);
      flash(req, 'success', 'board:flash.reported');
      await backTo(req, res, req.params.id);
    },
  }));
  router.get('/board/posts/:id/hide', requireRole('organizer'), (req, res) => showHidePost(req, res, blank));
  router.post('/board/posts/:id/hide', requireRole('organizer'), formHandler({
    body: ReasonForm,
    render: showHidePost,
    async handle(req, res, { body }) {
      const post = await board.hidePost(req.user, req.params.id, body.reason);
      flash(req, 'success', 'board:moderation.done.hidePost');
      await backTo(req, res, post._id);
    },
  }));
  router.post('/board/posts/:id/restore', requireRole('organizer'), async (req, res) => {
    const post = await board.restorePost(req.user, req.params.id);
    flash(req, 'success', 'board:moderation.done.restorePost');
    await backTo(req, res, post._id);
  });
  return router;
}

/** A category's thread list and starting a thread (last: /board/:category takes any other single segment). */
function categoryRoutes(board: BoardService): Router {
  const router = Router();
  router.get('/board/:category', async (req, res) => {
    const page = pageFrom(req.query, THREADS_PER_PAGE);
    const { category, threads, total } = await board.listThreads(req.user, req.params.category, page);
    res.render('board/category', { title: category.name[req.lang] || category.name.en, category, threads, pagination: paginate(`/board/${category.slug}`, req.query, page, total) });
  });

  const showNewThread = async (req: Request, res: Response, state: FormState) => {
    const { category } = await board.listThreads(req.user, str(req.params.category), { skip: 0, perPage: 1 });
    res.render('board/new-thread', { title: req.t('board:newThread.title'), category, values: { title: '', body: '', ...state.values }, errors: state.errors, limits });
  };
  router.get('/board/:category/new', requireUser, (req, res) => showNewThread(req, res, blank));
  router.post('/board/:category/new', requireUser, formHandler({
    body: ThreadForm,
    render: showNewThread,
    async handle(req, res, { body }) {
      const thread = await board.createThread(actorOf(req), str(req.params.category), body);
      flash(req, 'success', 'board:flash.threadCreated');
      res.redirect(303, `/board/threads/${String(thread._id)}`);
    },
  }));
  return router;
}
