/**
 * The organizer's allocation page: the plan with each free booth as a control, the booth list as
 * its twin, the quota left before the click; going over the quota shows the page again with the
 * reason and the choices (waiting list, raise the quota).
 */
import { Router, type Request, type Response } from 'express';
import type { FieldErrors } from '../../kernel';
import { actorOf, requireRole } from '../../web/auth';
import type { AppContext } from '../../web/context';
import { flash } from '../../web/flash';
import { formHandler, type FormValues } from '../../web/forms';
import { ApproveForm, quotaUse } from './allocation';
import { listBooths } from './booths';
import { buildFloorPlan, fitLabel } from './floorplan';
import { boothHoldings, freeBooths } from './holdings';
import { STATUS_CLASS, memberNamer } from './labels';
import { editionOf, getRequest } from './requests';
import type { FairService } from './service';
import { allowedActions } from './transitions';

export function fairAllocationRouter(_ctx: AppContext, fair: FairService): Router {
  const router = Router();

  async function allocationPage(req: Request, res: Response, values: FormValues = {}, errors: FieldErrors = {}) {
    const actor = actorOf(req);
    const request = await getRequest(actor, req.params.id);
    const edition = await editionOf(request);
    const [booths, free, holdings, quota, memberName] = await Promise.all([listBooths(edition._id), freeBooths(edition._id), boothHoldings(edition._id), quotaUse(edition, request.member), memberNamer(req.lang)]);
    const wished = new Set(request.wishedCodes);
    const held = new Set(request.booths.map((b) => String(b.booth)));
    const picked = new Set(Array.isArray(values.booths) ? values.booths : typeof values.booths === 'string' ? [values.booths] : []);
    const plan = buildFloorPlan(edition, booths, holdings, { showNames: true, highlight: new Set(booths.filter((b) => wished.has(b.code) || held.has(String(b._id))).map((b) => String(b._id))) });
    const actions = allowedActions(actor, request);
    res.render('fair/admin/allocate', {
      title: req.t('fair:allocate.title', { company: request.companyName }),
      request,
      edition,
      plan,
      fitLabel,
      free,
      pickable: actions.includes('approve') ? new Set(free.map((b) => String(b._id))) : null,
      picked,
      quota,
      memberName,
      actions,
      values,
      errors,
      overQuota: errors.booths?.key === 'fair:errors.quotaLeft',
      statusClass: STATUS_CLASS,
    });
  }

  router.get('/admin/fair/requests/:id', requireRole('organizer'), (req, res) => allocationPage(req, res));

  router.post(
    '/fair/requests/:id/approve',
    requireRole('organizer'),
    formHandler({
      body: ApproveForm,
      render: (req, res, { values, errors }) => allocationPage(req, res, values, errors),
      async handle(req, res, { body }) {
        await fair.approve(actorOf(req), String(req.params.id), body);
        flash(req, 'success', 'fair:flash.approve');
        res.redirect(303, `/admin/fair/requests/${String(req.params.id)}`);
      },
    }),
  );

  return router;
}
