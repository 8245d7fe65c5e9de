/**
 * Public and member pages of the fair (/fair, /fair/requests...) and the liaison queue.
 */
import { Router, type Request, type Response } from 'express';
import { actorOf, requireRole, requireUser } from '../../web/auth';
import type { AppContext } from '../../web/context';
import { ConflictError, NotFoundError, ValidationError } from '../../kernel';
import { flash } from '../../web/flash';
import { parseForm } from '../../web/forms';
import { ACCEPT_ATTRIBUTE, MAX_FILE_BYTES, sendStoredFile, uploadMiddleware, uploadsOf } from '../../web/uploads';
import { currentEdition, findEdition, listBooths, quotaFor, requestWindowOpen } from './editions';
import { buildFloorPlan, fitLabel } from './floorplan';
import type { RequestStatus } from './model';
import {
  ListFilterForm,
  RequestForm,
  activeRequestOf,
  boothHoldings,
  createRequest,
  editionOf,
  getRequest,
  liaisonQueue,
  listOwnRequests,
  quotaUse,
  requestFormValues,
  transition,
  updateDraft,
} from './requests';
import { availableActions, type RequestAction } from './workflow';

export const STATUS_CLASS: Record<RequestStatus, string> = {
  draft: 'status-neutral',
  submitted: 'status-warn',
  endorsed: 'status-warn',
  declined: 'status-bad',
  approved: 'status-ok',
  waitlisted: 'status-warn',
  rejected: 'status-bad',
  confirmed: 'status-ok',
  withdrawn: 'status-neutral',
};

const HUMAN_ACTIONS = ['submit', 'endorse', 'decline', 'approve', 'waitlist', 'reject', 'confirm', 'withdraw'] as const;
type HumanAction = (typeof HUMAN_ACTIONS)[number];

function isHumanAction(v: string): v is HumanAction {
  return (HUMAN_ACTIONS as readonly string[]).includes(v);
}

export function fairRouter(ctx: AppContext): Router {
  const router = Router();
  const deps = { mailer: ctx.mailer, baseUrl: ctx.config.baseUrl, files: ctx.files };
  const brochureUpload = uploadMiddleware(ctx, { field: 'brochure', maxFiles: 1 });
  const uploadLocals = { accept: ACCEPT_ATTRIBUTE, maxMb: MAX_FILE_BYTES / 1024 / 1024 };

  /** A refused upload: the form again with the file's problem beside its field and the text kept. */
  function uploadProblem(req: Request): { status: number; errors: Record<string, unknown> } | null {
    const { error } = uploadsOf(req);
    if (!error) return null;
    const parsed = parseForm(RequestForm, req.body);
    return { status: error.status, errors: { ...(parsed.ok ? {} : parsed.errors), brochure: { key: error.key, params: error.params } } };
  }

  router.get('/fair', async (req, res) => {
    const edition = await currentEdition();
    if (!edition) return res.render('fair/index', { title: req.t('fair:title'), edition: null });
    const now = ctx.now();
    const actor = req.user;
    const [booths, holdings, own] = await Promise.all([
      listBooths(edition._id),
      boothHoldings(edition._id),
      actor?.role === 'member' ? activeRequestOf(actor.companyId, edition._id) : null,
    ]);
    const plan = buildFloorPlan(edition, booths, holdings, { highlight: new Set(own ? own.booths.map((b) => String(b.booth)) : []) });
    res.render('fair/index', {
      title: req.t('fair:title'),
      edition,
      plan,
      fitLabel,
      windowOpen: requestWindowOpen(edition, now),
      quota: actor?.member ? quotaFor(edition, actor.member) : edition.defaultQuota,
      own,
      statusClass: STATUS_CLASS,
    });
  });

  router.get('/fair/requests', requireUser, async (req, res) => {
    const actor = actorOf(req);
    if (actor.role === 'liaison') return res.redirect(303, '/liaison/requests');
    if (actor.role === 'organizer') return res.redirect(303, '/admin/fair');
    const requests = await listOwnRequests(actor);
    const editions = new Map<string, Awaited<ReturnType<typeof editionOf>>>();
    for (const r of requests) if (!editions.has(String(r.edition))) editions.set(String(r.edition), await editionOf(r));
    const edition = await currentEdition();
    res.render('fair/requests', {
      title: req.t('fair:requests.title'),
      requests,
      editions,
      statusClass: STATUS_CLASS,
      canRequest: !!edition && requestWindowOpen(edition, ctx.now()) && !(await activeRequestOf(actor.companyId, edition._id)),
    });
  });

  async function showNewForm(req: Request, res: Response, status: number, values: Record<string, unknown>, errors: Record<string, unknown>, formError: string | null = null) {
    const actor = actorOf(req);
    const edition = await currentEdition();
    const now = ctx.now();
    const existing = edition ? await activeRequestOf(actor.companyId, edition._id) : null;
    res.status(status).render('fair/request-form', {
      title: req.t('fair:form.title'),
      edition,
      windowOpen: !!edition && requestWindowOpen(edition, now),
      existing,
      noCompany: actor.role !== 'member' || !actor.companyId,
      quota: edition && actor.member ? quotaFor(edition, actor.member) : 0,
      values,
      errors,
      formError,
      action: '/fair/requests/new',
      draft: null,
      filesDropped: Object.keys(errors).length > 0 || formError !== null,
      ...uploadLocals,
    });
  }

  router.get('/fair/requests/new', requireRole('member'), async (req, res) => {
    const actor = actorOf(req);
    await showNewForm(req, res, 200, { contactName: actor.name, boothCount: 1 }, {});
  });

  router.post('/fair/requests/new', requireRole('member'), brochureUpload, async (req, res) => {
    const actor = actorOf(req);
    const edition = await currentEdition();
    if (!edition) throw new ConflictError('fair:errors.windowClosed');
    const problem = uploadProblem(req);
    if (problem) return showNewForm(req, res, problem.status, req.body ?? {}, problem.errors);
    try {
      const created = await createRequest(actor, String(edition._id), req.body, ctx.now(), deps, uploadsOf(req).files);
      flash(req, 'success', created.status === 'draft' ? 'fair:flash.draftSaved' : 'fair:flash.submitted');
      res.redirect(303, `/fair/requests/${String(created._id)}`);
    } catch (err) {
      if (err instanceof ValidationError) return showNewForm(req, res, 422, req.body ?? {}, err.fieldErrors);
      if (err instanceof ConflictError) return showNewForm(req, res, 409, req.body ?? {}, {}, err.messageKey);
      throw err;
    }
  });

  router.get('/fair/requests/:id', requireUser, async (req, res) => {
    const actor = actorOf(req);
    const request = await getRequest(actor, req.params.id);
    const edition = await editionOf(request);
    const quota = await quotaUse(edition, request.member);
    res.render('fair/request', {
      title: req.t('fair:request.title', { company: request.companyName }),
      request,
      edition,
      quota,
      actions: availableActions(request.status, actor.role).filter((a) => a !== 'approve'),
      canAllocate: availableActions(request.status, actor.role).includes('approve'),
      statusClass: STATUS_CLASS,
    });
  });

  async function showEditForm(req: Request, res: Response, status: number, values: Record<string, unknown> | null, errors: Record<string, unknown>, formError: string | null = null) {
    const actor = actorOf(req);
    const draft = await getRequest(actor, req.params.id);
    const edition = await editionOf(draft);
    res.status(status).render('fair/request-form', {
      title: req.t('fair:form.editTitle'),
      edition,
      windowOpen: requestWindowOpen(edition, ctx.now()),
      existing: null,
      noCompany: false,
      quota: quotaFor(edition, draft.member),
      values: values ?? requestFormValues(draft),
      errors,
      formError,
      action: `/fair/requests/${String(draft._id)}/edit`,
      draft,
      filesDropped: Object.keys(errors).length > 0 || formError !== null,
      ...uploadLocals,
    });
  }

  router.get('/fair/requests/:id/edit', requireRole('member'), async (req, res) => {
    const draft = await getRequest(actorOf(req), req.params.id);
    if (draft.status !== 'draft') throw new ConflictError('fair:errors.notDraft');
    await showEditForm(req, res, 200, null, {});
  });

  router.post('/fair/requests/:id/edit', requireRole('member'), brochureUpload, async (req, res) => {
    const problem = uploadProblem(req);
    if (problem) return showEditForm(req, res, problem.status, req.body ?? {}, problem.errors);
    try {
      const updated = await updateDraft(actorOf(req), String(req.params.id), req.body, ctx.now(), deps, uploadsOf(req).files);
      flash(req, 'success', updated.status === 'draft' ? 'fair:flash.draftSaved' : 'fair:flash.submitted');
      res.redirect(303, `/fair/requests/${String(updated._id)}`);
    } catch (err) {
      if (err instanceof ValidationError) return showEditForm(req, res, 422, req.body ?? {}, err.fieldErrors);
      throw err;
    }
  });

  // The brochure: for the same people who may see the request.
  router.get('/fair/requests/:id/brochure', requireUser, async (req, res) => {
    const request = await getRequest(actorOf(req), req.params.id);
    if (!request.attachment) throw new NotFoundError();
    await sendStoredFile(ctx, res, request.attachment);
  });

  router.post('/fair/requests/:id/:action', requireUser, async (req, res) => {
    const action = String(req.params.action);
    if (!isHumanAction(action)) throw new ConflictError('fair:errors.unknownAction');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const id = String(req.params.id);
    try {
      await transition(actorOf(req), id, action, { note: body.note, booths: body.booths }, ctx.now(), deps);
    } catch (err) {
      if (err instanceof ValidationError && action === 'approve') {
        flash(req, 'error', Object.values(err.fieldErrors)[0]?.key ?? 'validation:formHasErrors', Object.values(err.fieldErrors)[0]?.params);
        return res.redirect(303, `/admin/fair/requests/${id}`);
      }
      throw err;
    }
    flash(req, 'success', `fair:flash.${action as RequestAction}`);
    if (body.back === 'queue' && req.user?.role === 'liaison') return res.redirect(303, '/liaison/requests');
    res.redirect(303, action === 'approve' ? `/admin/fair/requests/${id}` : `/fair/requests/${id}`);
  });

  router.get('/liaison/requests', requireRole('liaison'), async (req, res) => {
    const actor = actorOf(req);
    const edition = await currentEdition();
    const parsed = parseForm(ListFilterForm, req.query);
    const filter = parsed.ok ? parsed.data : {};
    if (!edition) return res.render('fair/liaison-queue', { title: req.t('fair:liaison.title'), edition: null, requests: [], filter, quota: null, statusClass: STATUS_CLASS });
    const requests = await liaisonQueue(actor, edition._id, { status: filter.status, olderThanDays: filter.age ? Number(filter.age) : undefined }, ctx.now());
    const quota = await quotaUse(edition, actor.member!);
    res.render('fair/liaison-queue', { title: req.t('fair:liaison.title'), edition, requests, filter, quota, statusClass: STATUS_CLASS, now: ctx.now() });
  });

  // An edition's public plan by id (older editions, links from e-mails and the organizer desk).
  router.get('/fair/editions/:id', async (req, res) => {
    const edition = await findEdition(req.params.id);
    if (edition.status === 'draft' && req.user?.role !== 'organizer') return res.redirect(303, '/fair');
    const booths = await listBooths(edition._id);
    const holdings = await boothHoldings(edition._id);
    res.render('fair/index', {
      title: req.t('fair:title'),
      edition,
      plan: buildFloorPlan(edition, booths, holdings),
      fitLabel,
      windowOpen: requestWindowOpen(edition, ctx.now()),
      quota: edition.defaultQuota,
      own: null,
      statusClass: STATUS_CLASS,
    });
  });

  return router;
}
