/**
 * The organizer's desk for the fair: editions, the hall layout, requests and allocation, exports.
 */
import { Router, type Request, type Response } from 'express';
import { actorOf, requireRole } from '../../web/auth';
import type { AppContext } from '../../web/context';
import { ValidationError } from '../../kernel';
import { flash } from '../../web/flash';
import { parseForm } from '../../web/forms';
import { translator } from '../../web/i18n';
import { listAsemMembers } from '../members';
import {
  addBoothRow,
  createEdition,
  currentEdition,
  deleteBooth,
  editionFormValues,
  findBooth,
  findEdition,
  importBoothCsv,
  listBooths,
  listEditions,
  publishAllocation,
  updateBooth,
  updateEdition,
} from './editions';
import { buildFloorPlan, fitLabel } from './floorplan';
import { EDITION_STATUSES, REQUEST_STATUSES, type FairEditionDoc } from './model';
import {
  ListFilterForm,
  allQuotaUse,
  boothHoldings,
  editionOf,
  exhibitors,
  exhibitorsCsv,
  freeBooths,
  getRequest,
  listRequests,
  quotaUse,
  requestCounts,
} from './requests';
import { STATUS_CLASS } from './routes';

export function fairAdminRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(['/admin/fair', '/admin/fair/*rest'], requireRole('organizer'));

  router.get('/admin/fair', async (req, res) => {
    const editions = await listEditions();
    const current = await currentEdition();
    if (current) return res.redirect(303, `/admin/fair/editions/${String(current._id)}`);
    res.render('fair/admin/index', { title: req.t('fair:admin.title'), editions });
  });

  router.get('/admin/fair/editions', async (req, res) => {
    res.render('fair/admin/index', { title: req.t('fair:admin.title'), editions: await listEditions() });
  });

  async function editionForm(req: Request, res: Response, status: number, edition: FairEditionDoc | null, values: Record<string, unknown>, errors: Record<string, unknown>) {
    res.status(status).render('fair/admin/edition-form', {
      title: req.t(edition ? 'fair:admin.editEdition' : 'fair:admin.newEdition'),
      edition,
      values,
      errors,
      statuses: EDITION_STATUSES,
    });
  }

  router.get('/admin/fair/editions/new', async (req, res) => {
    const y = ctx.now().getUTCFullYear() + 1;
    await editionForm(req, res, 200, null, { year: y, status: 'draft', defaultQuota: 3, startsOn: `${y}-09-15`, endsOn: `${y}-09-18` }, {});
  });

  router.post('/admin/fair/editions/new', async (req, res) => {
    try {
      const created = await createEdition(actorOf(req), req.body, ctx.now());
      flash(req, 'success', 'fair:flash.editionSaved');
      res.redirect(303, `/admin/fair/editions/${String(created._id)}`);
    } catch (err) {
      if (err instanceof ValidationError) return editionForm(req, res, 422, null, req.body ?? {}, err.fieldErrors);
      throw err;
    }
  });

  router.get('/admin/fair/editions/:id/edit', async (req, res) => {
    const edition = await findEdition(req.params.id);
    await editionForm(req, res, 200, edition, editionFormValues(edition), {});
  });

  router.post('/admin/fair/editions/:id/edit', async (req, res) => {
    const edition = await findEdition(req.params.id);
    try {
      await updateEdition(actorOf(req), String(edition._id), req.body, ctx.now());
      flash(req, 'success', 'fair:flash.editionSaved');
      res.redirect(303, `/admin/fair/editions/${String(edition._id)}`);
    } catch (err) {
      if (err instanceof ValidationError) return editionForm(req, res, 422, edition, req.body ?? {}, err.fieldErrors);
      throw err;
    }
  });

  router.get('/admin/fair/editions/:id', async (req, res) => {
    const edition = await findEdition(req.params.id);
    const parsed = parseForm(ListFilterForm, req.query);
    const filter = parsed.ok ? parsed.data : {};
    const now = ctx.now();
    const [requests, counts, quotas, waitlist, members] = await Promise.all([
      listRequests(edition._id, { status: filter.status, member: filter.member, olderThanDays: filter.age ? Number(filter.age) : undefined }, now),
      requestCounts(edition._id),
      allQuotaUse(edition),
      listRequests(edition._id, { status: 'waitlisted' }, now, { waitlistedAt: 1, _id: 1 }),
      listAsemMembers(req.lang),
    ]);
    res.render('fair/admin/edition', {
      title: req.t('fair:admin.deskTitle'),
      edition,
      requests,
      counts,
      quotas,
      waitlist,
      members,
      filter,
      statuses: REQUEST_STATUSES,
      statusClass: STATUS_CLASS,
    });
  });

  router.post('/admin/fair/editions/:id/publish', async (req, res) => {
    const edition = await publishAllocation(actorOf(req), String(req.params.id), ctx.now());
    flash(req, 'success', 'fair:flash.published');
    res.redirect(303, `/admin/fair/editions/${String(edition._id)}`);
  });

  // --- Booth layout ---------------------------------------------------------------------------

  async function boothsPage(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const edition = await findEdition(req.params.id);
    const booths = await listBooths(edition._id);
    const plan = buildFloorPlan(edition, booths, await boothHoldings(edition._id), { showNames: true });
    res.status(status).render('fair/admin/booths', {
      title: req.t('fair:layout.title'),
      edition,
      plan,
      fitLabel,
      rowValues: { prefix: '', firstNumber: 1, count: 10, x: 0, y: 0, width: 3, depth: 3, direction: 'horizontal', cornerEnds: 'on' },
      rowErrors: {},
      csvValue: '',
      csvErrors: {},
      ...extra,
    });
  }

  router.get('/admin/fair/editions/:id/booths', (req, res) => boothsPage(req, res, 200));

  router.post('/admin/fair/editions/:id/booths/row', async (req, res) => {
    try {
      const n = await addBoothRow(actorOf(req), String(req.params.id), req.body, ctx.now());
      flash(req, 'success', 'fair:flash.rowAdded', { count: n });
      res.redirect(303, `/admin/fair/editions/${String(req.params.id)}/booths`);
    } catch (err) {
      if (err instanceof ValidationError) return boothsPage(req, res, 422, { rowValues: req.body ?? {}, rowErrors: err.fieldErrors });
      throw err;
    }
  });

  router.post('/admin/fair/editions/:id/booths/import', async (req, res) => {
    const csv = typeof req.body?.csv === 'string' ? (req.body.csv as string) : '';
    try {
      const n = await importBoothCsv(actorOf(req), String(req.params.id), csv, ctx.now());
      flash(req, 'success', 'fair:flash.imported', { count: n });
      res.redirect(303, `/admin/fair/editions/${String(req.params.id)}/booths`);
    } catch (err) {
      if (err instanceof ValidationError) return boothsPage(req, res, 422, { csvValue: csv, csvErrors: err.fieldErrors });
      throw err;
    }
  });

  async function boothForm(req: Request, res: Response, status: number, values: Record<string, unknown> | null, errors: Record<string, unknown>) {
    const edition = await findEdition(req.params.id);
    const booth = await findBooth(edition._id, req.params.boothId);
    res.status(status).render('fair/admin/booth-form', {
      title: req.t('fair:layout.editBooth', { code: booth.code }),
      edition,
      booth,
      values: values ?? { code: booth.code, x: booth.x, y: booth.y, width: booth.width, depth: booth.depth, features: booth.features },
      errors,
    });
  }

  router.get('/admin/fair/editions/:id/booths/:boothId', (req, res) => boothForm(req, res, 200, null, {}));

  router.post('/admin/fair/editions/:id/booths/:boothId', async (req, res) => {
    try {
      await updateBooth(actorOf(req), String(req.params.id), String(req.params.boothId), req.body, ctx.now());
      flash(req, 'success', 'fair:flash.boothSaved');
      res.redirect(303, `/admin/fair/editions/${String(req.params.id)}/booths`);
    } catch (err) {
      if (err instanceof ValidationError) {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const features = body.features === undefined ? [] : Array.isArray(body.features) ? body.features : [body.features];
        return boothForm(req, res, 422, { ...body, features }, err.fieldErrors);
      }
      throw err;
    }
  });

  router.post('/admin/fair/editions/:id/booths/:boothId/delete', async (req, res) => {
    await deleteBooth(actorOf(req), String(req.params.id), String(req.params.boothId), ctx.now());
    flash(req, 'success', 'fair:flash.boothDeleted');
    res.redirect(303, `/admin/fair/editions/${String(req.params.id)}/booths`);
  });

  // --- Allocation ------------------------------------------------------------------------------

  router.get('/admin/fair/requests/:id', async (req, res) => {
    const request = await getRequest(actorOf(req), req.params.id);
    const edition = await editionOf(request);
    const booths = await listBooths(edition._id);
    const free = await freeBooths(edition._id);
    const wished = new Set(request.wishedCodes);
    const plan = buildFloorPlan(edition, booths, await boothHoldings(edition._id), {
      showNames: true,
      highlight: new Set(booths.filter((b) => wished.has(b.code) || request.booths.some((x) => String(x.booth) === String(b._id))).map((b) => String(b._id))),
    });
    res.render('fair/admin/allocate', {
      title: req.t('fair:allocate.title', { company: request.companyName }),
      request,
      edition,
      plan,
      fitLabel,
      free,
      quota: await quotaUse(edition, request.member),
      statusClass: STATUS_CLASS,
    });
  });

  // --- Exports ---------------------------------------------------------------------------------

  router.get('/admin/fair/editions/:id/exhibitors.csv', async (req, res) => {
    const edition = await findEdition(req.params.id);
    const t = translator(req.lang);
    const rows = await exhibitors(edition._id);
    const headers = ['booths', 'company', 'member', 'contact', 'phone', 'email', 'products', 'status'].map((h) => t(`fair:csv.${h}`));
    const csv = exhibitorsCsv(rows, headers, (s) => t(`fair:status.${s}`));
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="exhibitors-${edition.year}.csv"`);
    res.send(Buffer.from(csv, 'utf8'));
  });

  router.get('/admin/fair/editions/:id/catalogue', async (req, res) => {
    const edition = await findEdition(req.params.id);
    const rows = (await exhibitors(edition._id)).filter((r) => r.status === 'confirmed');
    res.render('fair/admin/catalogue', { title: req.t('fair:catalogue.title'), edition, rows });
  });

  return router;
}
