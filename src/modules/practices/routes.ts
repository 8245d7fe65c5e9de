/**
 * Pages of the best-practice library (/practices...) and its moderation (/admin/practices).
 * Each route: guard → form helper → service → render/redirect; the rules live in service.ts.
 */
import { Router, type Request, type Response } from 'express';
import { ValidationError, type FieldErrors } from '../../kernel';
import { actorOf, requireRole, requireUser } from '../../web/auth';
import type { AppContext } from '../../web/context';
import { flash } from '../../web/flash';
import { formHandler, type FormState } from '../../web/forms';
import { paginate, pageFrom } from '../../web/pagination';
import { ACCEPT_ATTRIBUTE, MAX_FILE_BYTES, isImage, sendStoredFile, uploadMiddleware, uploadsOf } from '../../web/uploads';
import { publicProfiles } from '../accounts';
import { listAsemMembers } from '../members';
import { atomFeed } from './feed';
import { ModerationForm, PracticeForm, formShape, type PracticeFormValues } from './forms';
import { MAX_ATTACHMENTS, TEXT_LANGUAGES, THEMES, type AttachmentDoc, type PracticeDoc } from './model';
import { filtersFrom, type ModerationFilter } from './service';
import type { PracticesService } from './services';

const PER_PAGE = 10;

function valuesFromPractice(p: PracticeDoc): PracticeFormValues {
  const { kind, title, summary, body, themes, member, language, organisation, results, contact } = p;
  return { kind, title, summary, body, themes, member, language, organisation, results, contact };
}

export function practicesRouter(ctx: AppContext, practices: PracticesService): Router {
  const router = Router();
  // Writing first: /practices/new is not a practice id.
  router.use(writingRoutes(ctx, practices));
  router.use(readingRoutes(ctx, practices));
  router.use(moderationRoutes(practices));
  return router;
}

/** The list with search and filters, the feed, one's own practices, a practice and its files. */
function readingRoutes(ctx: AppContext, practices: PracticesService): Router {
  const router = Router();
  router.get('/practices', async (req, res) => {
    const filters = filtersFrom(req.query);
    const page = pageFrom(req.query, PER_PAGE);
    const { items, total, searched } = await practices.listPractices(filters, page);
    const members = await listAsemMembers(req.lang);
    res.render('practices/index', { title: req.t('practices:title'), filters, items, searched, pagination: paginate('/practices', req.query, page, total), themes: THEMES, textLanguages: TEXT_LANGUAGES, members });
  });

  router.get('/practices/feed.xml', async (req, res) => {
    const latest = await practices.latestPractices(30);
    const authors = await publicProfiles(latest.map((p) => p.author));
    const t = req.t;
    const text = { title: t('practices:feed.title'), subtitle: t('practices:feed.subtitle'), authorName: t('siteName'), themeLabel: (k: string) => t(`practices:themes.${k}`) };
    const body = atomFeed(ctx.config.baseUrl, latest, text, new Map([...authors].map(([id, a]) => [id, a.name])), ctx.now());
    res.type('application/atom+xml; charset=utf-8').send(body);
  });

  router.get('/practices/mine', requireUser, async (req, res) => {
    const items = await practices.ownPractices(actorOf(req));
    res.render('practices/mine', { title: req.t('practices:mine.title'), items });
  });

  router.get('/practices/:id', async (req, res) => {
    const actor = req.user;
    const practice = await practices.getReadablePractice(actor, req.params.id);
    const [author, related, interest, members] = await Promise.all([
      practices.authorDetails(practice),
      practices.relatedPractices(practice),
      practices.interestOf(actor, practice._id),
      listAsemMembers(req.lang),
    ]);
    res.render('practices/show', {
      title: practice.title,
      practice,
      author,
      related,
      interest,
      member: members.find((m) => m.code === practice.member) ?? null,
      isOwner: !!actor && actor.id === String(practice.author),
      isOrganizer: actor?.role === 'organizer',
      images: practice.attachments.filter((a) => isImage(a)),
      documents: practice.attachments,
      isImage: (a: AttachmentDoc) => isImage(a),
    });
  });

  router.get('/practices/:id/files/:fileId', async (req, res) => {
    const ref = await practices.attachmentFor(req.user, req.params.id, req.params.fileId);
    await sendStoredFile(ctx, res, ref, { inline: req.query.inline === '1' });
  });
  return router;
}

/** Writing one's own practices (with their files), deleting them, and saying one is interested. */
function writingRoutes(ctx: AppContext, practices: PracticesService): Router {
  const router = Router();
  const upload = uploadMiddleware(ctx, { field: 'attachments', maxFiles: MAX_ATTACHMENTS });

  /** The practice form, new (no :id) or editing one's own: stored values, or the user's input after an error. */
  async function showForm(req: Request, res: Response, state: FormState | null) {
    const actor = actorOf(req);
    const editing = req.params.id ? await practices.getOwnPractice(actor, req.params.id) : null;
    const allMembers = await listAsemMembers(req.lang);
    const fresh = { kind: practices.allowedKinds(actor)[0], member: actor.member ?? '', language: req.lang === 'zh-CN' ? 'zh' : 'en' };
    const values = state ? formShape(state.values) : editing ? valuesFromPractice(editing) : formShape(fresh);
    const errors: FieldErrors = { ...state?.errors };
    // A refused upload: its reason beside the file field, and its own status when it is the only problem.
    const { files, error } = uploadsOf(req);
    if (state && error) {
      errors.attachments = { key: error.key, params: error.params };
      if (Object.keys(errors).length === 1) res.status(error.status);
    }
    res.render('practices/form', {
      title: req.t(editing ? 'practices:form.editTitle' : 'practices:form.newTitle'),
      practice: editing,
      values,
      errors,
      kinds: practices.allowedKinds(actor),
      themes: THEMES,
      textLanguages: TEXT_LANGUAGES,
      members: actor.role === 'organizer' ? allMembers : [],
      ownMember: actor.member ? (allMembers.find((m) => m.code === actor.member) ?? null) : null,
      isOrganizer: actor.role === 'organizer',
      accept: ACCEPT_ATTRIBUTE,
      maxFiles: MAX_ATTACHMENTS,
      maxMb: MAX_FILE_BYTES / 1024 / 1024,
      filesDropped: !!state && (files.length > 0 || !!error),
      action: editing ? `/practices/${String(editing._id)}/edit` : '/practices/new',
    });
  }

  /** The form post, new or edit: a refused upload is a problem of the form like any other. */
  const submit = formHandler({
    body: PracticeForm,
    render: showForm,
    async handle(req, res, { body }) {
      const actor = actorOf(req);
      const { files, error } = uploadsOf(req);
      if (error) throw new ValidationError({ attachments: { key: error.key, params: error.params } });
      const saved = req.params.id ? await practices.updatePractice(actor, String(req.params.id), body, files) : await practices.createPractice(actor, body, files);
      flash(req, 'success', saved.status === 'published' ? 'practices:flash.published' : 'practices:flash.draftSaved');
      res.redirect(303, `/practices/${String(saved._id)}`);
    },
  });

  router.get('/practices/new', requireUser, (req, res) => showForm(req, res, null));
  router.post('/practices/new', requireUser, upload, submit);
  router.get('/practices/:id/edit', requireUser, (req, res) => showForm(req, res, null));
  // Ownership is checked before anything is stored: someone else's id is a 404 and its files are dropped.
  const ownPracticeOnly = async (req: Request, _res: Response, next: () => void) => {
    await practices.getOwnPractice(actorOf(req), req.params.id);
    next();
  };
  router.post('/practices/:id/edit', requireUser, ownPracticeOnly, upload, submit);

  router.get('/practices/:id/delete', requireUser, async (req, res) => {
    const practice = await practices.getOwnPractice(actorOf(req), req.params.id);
    res.render('practices/delete', { title: req.t('practices:delete.title'), practice });
  });
  router.post('/practices/:id/delete', requireUser, async (req, res) => {
    await practices.deletePractice(actorOf(req), req.params.id);
    flash(req, 'success', 'practices:flash.deleted');
    res.redirect(303, '/practices/mine');
  });

  router.post('/practices/:id/interest', requireUser, async (req, res) => {
    const added = await practices.expressInterest(actorOf(req), req.params.id);
    flash(req, added ? 'success' : 'info', added ? 'practices:flash.interestSent' : 'practices:flash.interestAlready');
    res.redirect(303, `/practices/${String(req.params.id)}`);
  });
  return router;
}

/** The organizer's moderation list, and hiding or restoring a practice with a reason. */
function moderationRoutes(practices: PracticesService): Router {
  const router = Router();
  router.get('/admin/practices', requireRole('organizer'), async (req, res) => {
    const raw = typeof req.query.show === 'string' ? req.query.show : 'all';
    const filter: ModerationFilter = raw === 'hidden' || raw === 'visible' ? raw : 'all';
    const page = pageFrom(req.query, 20);
    const { items, total } = await practices.moderationList(actorOf(req), filter, page);
    res.render('practices/admin', { title: req.t('practices:admin.title'), items, filter, pagination: paginate('/admin/practices', req.query, page, total) });
  });

  for (const action of ['hide', 'restore'] as const) {
    const show = async (req: Request, res: Response, state: FormState) => {
      const practice = await practices.getReadablePractice(actorOf(req), req.params.id);
      res.render('practices/moderate', { title: req.t(`practices:moderate.${action}Title`), practice, action, values: { reason: '', ...state.values }, errors: state.errors });
    };
    router.get(`/admin/practices/:id/${action}`, requireRole('organizer'), (req, res) => show(req, res, { values: {}, errors: {} }));
    router.post(`/admin/practices/:id/${action}`, requireRole('organizer'), formHandler({
      body: ModerationForm,
      render: show,
      async handle(req, res, { body }) {
        const actor = actorOf(req);
        const practice = action === 'hide' ? await practices.hidePractice(actor, req.params.id, body.reason) : await practices.restorePractice(actor, req.params.id, body.reason);
        flash(req, 'success', action === 'hide' ? 'practices:flash.hidden' : 'practices:flash.restored');
        res.redirect(303, `/practices/${String(practice._id)}`);
      },
    }));
  }
  return router;
}
