/**
 * The organizer's desk for one edition: its requests, counts, quota use and waiting list, and the
 * exports (exhibitors CSV, printable catalogue). Members are named in the reader's language.
 */
import { Router } from 'express';
import type { AppContext } from '../../web/context';
import { requireRole } from '../../web/auth';
import { parseForm } from '../../web/forms';
import { translator } from '../../web/i18n';
import { listAsemMembers } from '../members';
import { allQuotaUse } from './allocation';
import { findEdition } from './editions';
import { exhibitors, exhibitorsCsv, requestCounts } from './exports';
import { STATUS_CLASS, byMemberName, memberNamer } from './labels';
import { REQUEST_STATUSES } from './model';
import { ListFilterForm, filterOf, listRequests } from './requests';

export function fairAdminDeskRouter(ctx: AppContext): Router {
  const router = Router();
  router.use('/admin/fair/editions/:id', requireRole('organizer'));

  router.get('/admin/fair/editions/:id', async (req, res) => {
    const edition = await findEdition(req.params.id);
    const parsed = parseForm(ListFilterForm, req.query);
    const filter = parsed.ok ? parsed.data : {};
    const now = ctx.now();
    const memberName = await memberNamer(req.lang);
    const [requests, counts, quotas, waitlist, members] = await Promise.all([
      listRequests(edition._id, filterOf(filter), now),
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
      quotas: byMemberName(quotas, (q) => q.member, memberName, req.lang),
      byMember: byMemberName(Object.entries(counts.byMember), ([m]) => m, memberName, req.lang),
      memberName,
      waitlist,
      members,
      filter,
      statuses: REQUEST_STATUSES.filter((s) => s !== 'draft'),
      statusClass: STATUS_CLASS,
    });
  });

  router.get('/admin/fair/editions/:id/exhibitors.csv', async (req, res) => {
    const edition = await findEdition(req.params.id);
    const t = translator(req.lang);
    const memberName = await memberNamer(req.lang);
    const headers = ['booths', 'company', 'member', 'memberCode', 'contact', 'phone', 'email', 'products', 'status'].map((h) => t(`fair:csv.${h}`));
    const csv = exhibitorsCsv(await exhibitors(edition._id), headers, { status: (s) => t(`fair:status.${s}`), member: memberName });
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="exhibitors-${edition.year}.csv"`);
    res.send(Buffer.from(csv, 'utf8'));
  });

  router.get('/admin/fair/editions/:id/catalogue', async (req, res) => {
    const edition = await findEdition(req.params.id);
    const rows = (await exhibitors(edition._id)).filter((r) => r.status === 'confirmed');
    res.render('fair/admin/catalogue', { title: req.t('fair:catalogue.title'), edition, rows, memberName: await memberNamer(req.lang) });
  });

  return router;
}
