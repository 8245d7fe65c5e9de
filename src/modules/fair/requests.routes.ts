/**
 * The member's booth requests: the list, the request form (new and draft) and the brochure.
 */
import { Router, type Request, type Response } from 'express';
import { NotFoundError, ValidationError, type FieldErrors } from '../../kernel';
import { actorOf, requireRole, requireUser } from '../../web/auth';
import type { AppContext } from '../../web/context';
import { flash } from '../../web/flash';
import { formHandler, type FormValues } from '../../web/forms';
import { ACCEPT_ATTRIBUTE, MAX_FILE_BYTES, sendStoredFile, uploadMiddleware, uploadsOf } from '../../web/uploads';
import { currentEdition, quotaFor, requestWindowOpen } from './editions';
import { STATUS_CLASS } from './labels';
import { RequestForm, activeRequestOf, editionOf, getRequest, listOwnRequests, requestFormValues, requestProblems } from './requests';
import type { FairService } from './service';
import { prefillFromLastRequest } from './continuity';

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
    // A returning exhibitor's new form opens filled from its last request; nothing is stored until it is sent.
    const prefill = !draft && !values && !existing && edition && actor.role === 'member' ? await prefillFromLastRequest(actor.companyId, edition) : null;
    res.render('fair/request-form', {
      title: req.t(draft ? 'fair:form.editTitle' : 'fair:form.title'),
      edition,
      windowOpen: !!edition && requestWindowOpen(edition, ctx.now()),
      existing,
      noCompany: !draft && (actor.role !== 'member' || !actor.companyId),
      quota: edition && (draft?.member ?? actor.member) ? quotaFor(edition, draft?.member ?? actor.member!) : 0,
      values: values ?? (draft ? requestFormValues(draft) : (prefill?.values ?? { contactName: actor.name, boothCount: '1' })),
      prefilledFrom: prefill?.from ?? null,
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

  return router;
}
