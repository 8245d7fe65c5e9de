/**
 * The member's booth requests (/fair/requests...), the steps of the workflow and the liaison queue.
 */
import { Router, type Request, type Response } from 'express';
import { NotFoundError, ValidationError, type FieldErrors } from '../../kernel';
import { actorOf, requireRole, requireUser } from '../../web/auth';
import type { AppContext } from '../../web/context';
import { flash } from '../../web/flash';
import { formHandler, parseForm, type FormValues } from '../../web/forms';
import { ACCEPT_ATTRIBUTE, MAX_FILE_BYTES, sendStoredFile, uploadMiddleware, uploadsOf } from '../../web/uploads';
import { quotaUse } from './allocation';
import { currentEdition, quotaFor, requestWindowOpen } from './editions';
import { STATUS_CLASS, memberNamer } from './labels';
import { ListFilterForm, RequestForm, activeRequestOf, editionOf, filterOf, getRequest, liaisonQueue, listOwnRequests, requestFormValues, requestProblems } from './requests';
import type { FairService } from './service';
import { CONFIRMED_ACTIONS, NoteForm, allowedActions, isHumanAction, requestFor } from './transitions';

const uploadLocals = { accept: ACCEPT_ATTRIBUTE, maxMb: MAX_FILE_BYTES / 1024 / 1024 };

/** A refused upload as a field error beside the brochure field. */
function uploadErrors(req: Request): FieldErrors {
  const { error } = uploadsOf(req);
  return error ? { brochure: { key: error.key, params: error.params } } : {};
}

/** The uploaded brochure, or the form again with the file's problem beside its field. */
function brochureOf(req: Request) {
  const errors = uploadErrors(req);
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return uploadsOf(req).files;
}

export function fairRequestsRouter(ctx: AppContext, fair: FairService): Router {
  const router = Router();
  const brochureUpload = uploadMiddleware(ctx, { field: 'brochure', maxFiles: 1 });

  router.get('/fair/requests', requireUser, async (req, res) => {
    const actor = actorOf(req);
    if (actor.role === 'liaison') return res.redirect(303, '/liaison/requests');
    if (actor.role === 'organizer') return res.redirect(303, '/admin/fair');
    const requests = await listOwnRequests(actor);
    const editions = new Map<string, Awaited<ReturnType<typeof editionOf>>>();
    for (const r of requests) if (!editions.has(String(r.edition))) editions.set(String(r.edition), await editionOf(r));
    const edition = await currentEdition();
    const canRequest = !!edition && requestWindowOpen(edition, ctx.now()) && !(await activeRequestOf(actor.companyId, edition._id));
    res.render('fair/requests', { title: req.t('fair:requests.title'), requests, editions, statusClass: STATUS_CLASS, canRequest });
  });

  /** The new-request form: `draftId` set when editing a draft. */
  async function showForm(req: Request, res: Response, values: FormValues | null, errors: FieldErrors, draftId: string | null) {
    const actor = actorOf(req);
    const draft = draftId ? await getRequest(actor, draftId) : null;
    if (draft && draft.status !== 'draft') throw new NotFoundError();
    const edition = draft ? await editionOf(draft) : await currentEdition();
    const existing = !draft && edition ? await activeRequestOf(actor.companyId, edition._id) : null;
    res.render('fair/request-form', {
      title: req.t(draft ? 'fair:form.editTitle' : 'fair:form.title'),
      edition,
      windowOpen: !!edition && requestWindowOpen(edition, ctx.now()),
      existing,
      noCompany: !draft && (actor.role !== 'member' || !actor.companyId),
      quota: edition && (draft?.member ?? actor.member) ? quotaFor(edition, draft?.member ?? actor.member!) : 0,
      values: values ?? (draft ? requestFormValues(draft) : { contactName: actor.name, boothCount: '1' }),
      errors,
      formError: null,
      action: draft ? `/fair/requests/${String(draft._id)}/edit` : '/fair/requests/new',
      draft,
      filesDropped: Object.keys(errors).length > 0,
      ...uploadLocals,
    });
  }

  /** The checks that need the edition, shown beside the schema's so one round trip shows every problem. */
  async function moreProblems(req: Request): Promise<FieldErrors> {
    const actor = actorOf(req);
    const edition = await currentEdition();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const extra = edition && actor.member ? (await requestProblems(edition, actor.member, body)).errors : {};
    return { ...extra, ...uploadErrors(req) };
  }

  router.get('/fair/requests/new', requireRole('member'), (req, res) => showForm(req, res, null, {}, null));

  router.post(
    '/fair/requests/new',
    requireRole('member'),
    brochureUpload,
    formHandler({
      body: RequestForm,
      moreProblems,
      render: (req, res, { values, errors }) => showForm(req, res, values, errors, null),
      async handle(req, res, { body }) {
        const created = await fair.createRequest(actorOf(req), body, brochureOf(req));
        flash(req, 'success', created.status === 'draft' ? 'fair:flash.draftSaved' : 'fair:flash.submitted');
        res.redirect(303, `/fair/requests/${String(created._id)}`);
      },
    }),
  );

  async function showRequest(req: Request, res: Response, values: FormValues = {}, errors: FieldErrors = {}) {
    const actor = actorOf(req);
    const request = await getRequest(actor, req.params.id);
    const edition = await editionOf(request);
    const allowed = allowedActions(actor, request);
    res.render('fair/request', {
      title: req.t('fair:request.title', { company: request.companyName }),
      request,
      edition,
      quota: await quotaUse(edition, request.member),
      memberName: await memberNamer(req.lang),
      actions: allowed.filter((a) => a !== 'approve' && !CONFIRMED_ACTIONS.includes(a)),
      askFirst: allowed.filter((a) => CONFIRMED_ACTIONS.includes(a)),
      canAllocate: allowed.includes('approve'),
      statusClass: STATUS_CLASS,
      values,
      errors,
    });
  }

  router.get('/fair/requests/:id', requireUser, (req, res) => showRequest(req, res));

  router.get('/fair/requests/:id/edit', requireRole('member'), (req, res) => showForm(req, res, null, {}, String(req.params.id)));

  router.post(
    '/fair/requests/:id/edit',
    requireRole('member'),
    brochureUpload,
    formHandler({
      body: RequestForm,
      moreProblems: async (req) => uploadErrors(req),
      render: (req, res, { values, errors }) => showForm(req, res, values, errors, String(req.params.id)),
      async handle(req, res, { body }) {
        const updated = await fair.updateDraft(actorOf(req), String(req.params.id), body, brochureOf(req));
        flash(req, 'success', updated.status === 'draft' ? 'fair:flash.draftSaved' : 'fair:flash.submitted');
        res.redirect(303, `/fair/requests/${String(updated._id)}`);
      },
    }),
  );

  // The brochure: for the same people who may see the request.
  router.get('/fair/requests/:id/brochure', requireUser, async (req, res) => {
    const request = await getRequest(actorOf(req), req.params.id);
    if (!request.attachment) throw new NotFoundError();
    await sendStoredFile(ctx, res, request.attachment);
  });

  // A step that cannot be undone is asked about first, on a page that works without JavaScript.
  router.get('/fair/requests/:id/:action', requireUser, async (req, res) => {
    const action = String(req.params.action);
    if (!isHumanAction(action) || !CONFIRMED_ACTIONS.includes(action)) throw new NotFoundError();
    const request = await requestFor(actorOf(req), String(req.params.id), action);
    res.render('fair/confirm-step', { title: req.t(`fair:confirm.${action}.title`, { company: request.companyName }), request, action, values: {}, errors: {} });
  });

  router.post(
    '/fair/requests/:id/:action',
    requireUser,
    formHandler({
      body: NoteForm,
      render: (req, res, { values, errors }) => showRequest(req, res, values, errors),
      async handle(req, res, { body }) {
        const action = String(req.params.action);
        const id = String(req.params.id);
        if (!isHumanAction(action) || action === 'approve') throw new NotFoundError();
        await fair.transition(actorOf(req), id, action, body);
        flash(req, 'success', `fair:flash.${action}`);
        if (body.back === 'queue' && req.user?.role === 'liaison') return res.redirect(303, '/liaison/requests');
        res.redirect(303, `/fair/requests/${id}`);
      },
    }),
  );

  router.get('/liaison/requests', requireRole('liaison'), async (req, res) => {
    const actor = actorOf(req);
    const edition = await currentEdition();
    const parsed = parseForm(ListFilterForm, req.query);
    const filter = parsed.ok ? parsed.data : {};
    const memberName = await memberNamer(req.lang);
    const base = { title: req.t('fair:liaison.title'), filter, statusClass: STATUS_CLASS, memberName };
    if (!edition) return res.render('fair/liaison-queue', { ...base, edition: null, requests: [], quota: null });
    const { status, olderThanDays } = filterOf(filter);
    const requests = await liaisonQueue(actor, edition._id, { status, olderThanDays }, ctx.now());
    const quota = await quotaUse(edition, actor.member!);
    const rows = requests.map((r) => ({ request: r, actions: allowedActions(actor, r) }));
    res.render('fair/liaison-queue', { ...base, edition, rows, requests, quota, now: ctx.now() });
  });

  return router;
}
