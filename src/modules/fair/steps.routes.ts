/**
 * A booth request's page, the steps of the workflow (a step that cannot be undone asked first) and
 * the liaison queue.
 */
import { Router, type Request, type Response } from 'express';
import { NotFoundError, type FieldErrors } from '../../kernel';
import { actorOf, requireRole, requireUser } from '../../web/auth';
import type { AppContext } from '../../web/context';
import { flash } from '../../web/flash';
import { formHandler, parseForm, type FormValues } from '../../web/forms';
import { quotaUse } from './allocation';
import { currentEdition } from './editions';
import { STATUS_CLASS, memberNamer } from './labels';
import { ListFilterForm, editionOf, filterOf, getRequest, liaisonQueue } from './requests';
import type { FairService } from './service';
import { CONFIRMED_ACTIONS, NoteForm, allowedActions, isHumanAction, requestFor } from './transitions';

export function fairStepsRouter(ctx: AppContext, fair: FairService): Router {
  const router = Router();

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
