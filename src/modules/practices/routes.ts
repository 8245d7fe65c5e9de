/**
 * Pages of the best-practice library (/practices...) and its moderation (/admin/practices).
 * Each route: guard → parse → service → render/redirect; the rules live in service.ts.
 */
import { Router, type Request, type Response } from 'express';
import { actorOf, requireRole, requireUser } from '../../web/auth';
import type { AppContext } from '../../web/context';
import { ValidationError, type FieldErrors } from '../../kernel';
import { flash } from '../../web/flash';
import { parseForm } from '../../web/forms';
import { paginate, pageFrom } from '../../web/pagination';
import { ACCEPT_ATTRIBUTE, MAX_FILE_BYTES, isImage, sendStoredFile, uploadMiddleware, uploadsOf } from '../../web/uploads';
import { listAsemMembers } from '../members';
import { atomFeed } from './feed';
import { ModerationForm, PracticeForm, valuesFromBody, type PracticeFormValues } from './forms';
import { MAX_ATTACHMENTS, TEXT_LANGUAGES, THEMES, type AttachmentDoc, type PracticeDoc } from './model';
import {
  allowedKinds,
  attachmentFor,
  authorDetails,
  createPractice,
  deletePractice,
  expressInterest,
  filtersFrom,
  getOwnPractice,
  getReadablePractice,
  hidePractice,
  interestOf,
  latestPractices,
  listPractices,
  moderationList,
  ownPractices,
  relatedPractices,
  restorePractice,
  updatePractice,
  type ModerationFilter,
} from './service';
import { publicProfiles } from '../accounts';

const PER_PAGE = 10;

function valuesFromPractice(p: PracticeDoc): PracticeFormValues {
  return {
    kind: p.kind,
    title: p.title,
    summary: p.summary,
    body: p.body,
    themes: p.themes,
    member: p.member,
    language: p.language,
    organisation: p.organisation,
    results: p.results,
    contact: p.contact,
  };
}

export function practicesRouter(ctx: AppContext): Router {
  const router = Router();
  const notify = { mailer: ctx.mailer, baseUrl: ctx.config.baseUrl };
  const upload = uploadMiddleware(ctx, { field: 'attachments', maxFiles: MAX_ATTACHMENTS });

  async function renderForm(
    req: Request,
    res: Response,
    opts: { status?: number; practice: PracticeDoc | null; values: PracticeFormValues; errors: FieldErrors; filesDropped?: boolean },
  ) {
    const actor = actorOf(req);
    const members = actor.role === 'organizer' ? await listAsemMembers(req.lang) : [];
    const ownMember = actor.member ? (await listAsemMembers(req.lang)).find((m) => m.code === actor.member) ?? null : null;
    const editing = opts.practice;
    res.status(opts.status ?? 200).render('practices/form', {
      title: req.t(editing ? 'practices:form.editTitle' : 'practices:form.newTitle'),
      practice: editing,
      values: opts.values,
      errors: opts.errors,
      kinds: allowedKinds(actor),
      themes: THEMES,
      textLanguages: TEXT_LANGUAGES,
      members,
      ownMember,
      isOrganizer: actor.role === 'organizer',
      accept: ACCEPT_ATTRIBUTE,
      maxFiles: MAX_ATTACHMENTS,
      maxMb: MAX_FILE_BYTES / 1024 / 1024,
      filesDropped: opts.filesDropped ?? false,
      action: editing ? `/practices/${String(editing._id)}/edit` : '/practices/new',
    });
  }

  /** Parses a submitted practice form with its files; renders the form again on any problem. */
  async function submit(req: Request, res: Response, practice: PracticeDoc | null, save: (input: ReturnType<typeof PracticeForm.parse>) => Promise<PracticeDoc>) {
    const { files, error } = uploadsOf(req);
    const values = valuesFromBody(req.body);
    const form = parseForm(PracticeForm, req.body);
    const errors: FieldErrors = form.ok ? {} : { ...form.errors };
    if (error) errors.attachments = { key: error.key, params: error.params };
    if (!form.ok || error) {
      return renderForm(req, res, { status: error && !Object.keys(form.ok ? {} : form.errors).length ? error.status : 422, practice, values, errors, filesDropped: files.length > 0 || !!error });
    }
    try {
      const saved = await save(form.data);
      flash(req, 'success', saved.status === 'published' ? 'practices:flash.published' : 'practices:flash.draftSaved');
      res.redirect(303, `/practices/${String(saved._id)}`);
    } catch (err) {
      if (err instanceof ValidationError) return renderForm(req, res, { status: 422, practice, values, errors: err.fieldErrors, filesDropped: files.length > 0 });
      throw err;
    }
  }

  router.get('/practices', async (req, res) => {
    const filters = filtersFrom(req.query);
    const page = pageFrom(req.query, PER_PAGE);
    const { items, total, searched } = await listPractices(filters, page);
    res.render('practices/index', {
      title: req.t('practices:title'),
      filters,
      items,
      searched,
      pagination: paginate('/practices', req.query, page, total),
      themes: THEMES,
      textLanguages: TEXT_LANGUAGES,
      members: await listAsemMembers(req.lang),
    });
  });

  router.get('/practices/feed.xml', async (req, res) => {
    const practices = await latestPractices(30);
    const authors = await publicProfiles(practices.map((p) => p.author));
    const t = req.t;
    const body = atomFeed(
      ctx.config.baseUrl,
      practices,
      { title: t('practices:feed.title'), subtitle: t('practices:feed.subtitle'), authorName: t('siteName'), themeLabel: (k) => t(`practices:themes.${k}`) },
      new Map([...authors].map(([id, a]) => [id, a.name])),
      ctx.now(),
    );
    res.type('application/atom+xml; charset=utf-8').send(body);
  });

  router.get('/practices/mine', requireUser, async (req, res) => {
    const items = await ownPractices(actorOf(req));
    res.render('practices/mine', { title: req.t('practices:mine.title'), items });
  });

  router.get('/practices/new', requireUser, async (req, res) => {
    const actor = actorOf(req);
    const values = valuesFromBody({ kind: allowedKinds(actor)[0], member: actor.member ?? '', language: req.lang === 'zh-CN' ? 'zh' : 'en' });
    await renderForm(req, res, { practice: null, values, errors: {} });
  });

  router.post('/practices/new', requireUser, upload, async (req, res) => {
    const actor = actorOf(req);
    await submit(req, res, null, (input) => createPractice(ctx, actor, input, uploadsOf(req).files, ctx.now()));
  });

  router.get('/practices/:id', async (req, res) => {
    const actor = req.user;
    const practice = await getReadablePractice(actor, req.params.id);
    const [author, related, interest] = await Promise.all([authorDetails(practice), relatedPractices(practice), interestOf(practice._id, actor)]);
    const members = await listAsemMembers(req.lang);
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
    const ref = await attachmentFor(req.user, req.params.id, req.params.fileId);
    await sendStoredFile(ctx, res, ref, { inline: req.query.inline === '1' });
  });

  router.get('/practices/:id/edit', requireUser, async (req, res) => {
    const practice = await getOwnPractice(actorOf(req), req.params.id);
    await renderForm(req, res, { practice, values: valuesFromPractice(practice), errors: {} });
  });

  router.post('/practices/:id/edit', requireUser, upload, async (req, res) => {
    const actor = actorOf(req);
    // Checked before anything is stored: someone else's id is a 404 and its files are dropped.
    const practice = await getOwnPractice(actor, req.params.id);
    await submit(req, res, practice, (input) => updatePractice(ctx, actor, String(practice._id), input, uploadsOf(req).files, ctx.now()));
  });

  router.get('/practices/:id/delete', requireUser, async (req, res) => {
    const practice = await getOwnPractice(actorOf(req), req.params.id);
    res.render('practices/delete', { title: req.t('practices:delete.title'), practice });
  });

  router.post('/practices/:id/delete', requireUser, async (req, res) => {
    await deletePractice(ctx, actorOf(req), req.params.id);
    flash(req, 'success', 'practices:flash.deleted');
    res.redirect(303, '/practices/mine');
  });

  router.post('/practices/:id/interest', requireUser, async (req, res) => {
    const added = await expressInterest(notify, actorOf(req), req.params.id, ctx.now());
    flash(req, added ? 'success' : 'info', added ? 'practices:flash.interestSent' : 'practices:flash.interestAlready');
    res.redirect(303, `/practices/${String(req.params.id)}`);
  });

  // Moderation (organizer).
  router.get('/admin/practices', requireRole('organizer'), async (req, res) => {
    const raw = typeof req.query.show === 'string' ? req.query.show : 'all';
    const filter: ModerationFilter = raw === 'hidden' || raw === 'visible' ? raw : 'all';
    const page = pageFrom(req.query, 20);
    const { items, total } = await moderationList(actorOf(req), filter, page);
    res.render('practices/admin', { title: req.t('practices:admin.title'), items, filter, pagination: paginate('/admin/practices', req.query, page, total) });
  });

  for (const action of ['hide', 'restore'] as const) {
    router.get(`/admin/practices/:id/${action}`, requireRole('organizer'), async (req, res) => {
      const practice = await getReadablePractice(actorOf(req), req.params.id);
      res.render('practices/moderate', { title: req.t(`practices:moderate.${action}Title`), practice, action, values: { reason: '' }, errors: {} });
    });
    router.post(`/admin/practices/:id/${action}`, requireRole('organizer'), async (req, res) => {
      const actor = actorOf(req);
      const practice = await getReadablePractice(actor, req.params.id);
      const form = parseForm(ModerationForm, req.body);
      if (!form.ok) {
        const reason = typeof (req.body as Record<string, unknown>)?.reason === 'string' ? (req.body as Record<string, string>).reason : '';
        return res.status(422).render('practices/moderate', { title: req.t(`practices:moderate.${action}Title`), practice, action, values: { reason }, errors: form.errors });
      }
      if (action === 'hide') await hidePractice(notify, actor, req.params.id, form.data.reason, ctx.now());
      else await restorePractice(notify, actor, req.params.id, form.data.reason, ctx.now());
      flash(req, 'success', action === 'hide' ? 'practices:flash.hidden' : 'practices:flash.restored');
      res.redirect(303, `/practices/${String(practice._id)}`);
    });
  }

  return router;
}
