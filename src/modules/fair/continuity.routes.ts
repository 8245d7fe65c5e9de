/**
 * Continuity between editions over HTTP: inviting last edition's exhibitors (asked about on its own
 * page first), the exhibitor's outcome report after the fair, and the organizer's reports per
 * edition (page, CSV) with "turn into practice draft".
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { FieldErrors } from '../../kernel';
import { actorOf, requireRole, requireUser } from '../../web/auth';
import type { AppContext } from '../../web/context';
import { flash } from '../../web/flash';
import { formHandler, type FormValues } from '../../web/forms';
import { findEdition } from './editions';
import { invitationSummary } from './continuity';
import { OutcomeForm, getReport, listReports, ownReport, reportsCloseAt, reportsCsv, fairOverAt, type OutcomeInput } from './outcomes';
import type { OutcomeReportDoc } from './continuity-model';
import type { FairService } from './service';

const Empty = z.object({});

function reportValues(r: OutcomeReportDoc | null): Record<string, string> {
  if (!r) return { contactsMade: '', deals: '', dealValue: '', wentWell: '', toImprove: '' };
  return {
    contactsMade: String(r.contactsMade),
    deals: String(r.deals),
    dealValue: r.dealValue === null ? '' : String(r.dealValue),
    wentWell: r.wentWell,
    toImprove: r.toImprove,
    ...(r.consent ? { consent: 'on' } : {}),
  };
}

export function fairContinuityRouter(ctx: AppContext, fair: FairService): Router {
  const router = Router();

  // --- Invitations (organizer) ----------------------------------------------------------------

  router.get('/admin/fair/editions/:id/invite', requireRole('organizer'), async (req, res) => {
    const edition = await findEdition(req.params.id);
    res.render('fair/admin/invite', { title: req.t('fair:invite.title'), edition, summary: await invitationSummary(edition, ctx.now()) });
  });

  router.post(
    '/admin/fair/editions/:id/invite',
    requireRole('organizer'),
    formHandler({
      body: Empty,
      render: (req, res) => res.redirect(303, `/admin/fair/editions/${String(req.params.id)}/invite`),
      async handle(req, res) {
        const result = await fair.inviteReturningExhibitors(actorOf(req), String(req.params.id));
        flash(req, 'success', 'fair:flash.invited', { count: result.sent, already: result.already, unreachable: result.unreachable });
        res.redirect(303, `/admin/fair/editions/${String(req.params.id)}/invite`);
      },
    }),
  );

  // --- The exhibitor's report -----------------------------------------------------------------

  async function showOutcomeForm(req: Request, res: Response, values: FormValues | null, errors: FieldErrors) {
    const own = await ownReport(actorOf(req), req.params.id, ctx.now());
    res.render('fair/outcome-form', {
      title: req.t('fair:outcome.title'),
      edition: own.edition,
      report: own.report,
      window: own.window,
      opensAt: fairOverAt(own.edition),
      closesAt: reportsCloseAt(own.edition),
      values: values ?? reportValues(own.report),
      errors,
    });
  }

  router.get('/fair/editions/:id/outcome', requireRole('member'), (req, res) => showOutcomeForm(req, res, null, {}));

  router.post(
    '/fair/editions/:id/outcome',
    requireRole('member'),
    formHandler({
      body: OutcomeForm,
      render: (req, res, { values, errors }) => showOutcomeForm(req, res, values, errors),
      async handle(req, res, { body }) {
        const saved = await fair.saveOutcomeReport(actorOf(req), String(req.params.id), body as OutcomeInput);
        flash(req, 'success', 'fair:flash.outcomeSaved');
        res.redirect(303, `/fair/outcomes/${String(saved._id)}`);
      },
    }),
  );

  router.get('/fair/outcomes/:id', requireUser, async (req, res) => {
    const actor = actorOf(req);
    const report = await getReport(actor, req.params.id);
    const edition = await findEdition(report.edition);
    const now = ctx.now();
    res.render('fair/outcome', {
      title: req.t('fair:outcome.viewTitle', { company: report.companyName }),
      report,
      edition,
      isOrganizer: actor.role === 'organizer',
      canEdit: actor.role === 'member' && now >= fairOverAt(edition) && now < reportsCloseAt(edition),
    });
  });

  // --- The organizer's reports ----------------------------------------------------------------

  router.get('/admin/fair/editions/:id/outcomes', requireRole('organizer'), async (req, res) => {
    const edition = await findEdition(req.params.id);
    const reports = await listReports(actorOf(req), edition._id);
    const totals = reports.reduce((a, r) => ({ contacts: a.contacts + r.contactsMade, deals: a.deals + r.deals }), { contacts: 0, deals: 0 });
    res.render('fair/admin/outcomes', { title: req.t('fair:outcome.listTitle'), edition, reports, totals, closesAt: reportsCloseAt(edition) });
  });

  router.get('/admin/fair/editions/:id/outcomes.csv', requireRole('organizer'), async (req, res) => {
    const edition = await findEdition(req.params.id);
    const csv = reportsCsv(await listReports(actorOf(req), edition._id), req.lang);
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="outcomes-${edition.year}.csv"`);
    res.send(Buffer.from(csv, 'utf8'));
  });

  router.post(
    '/admin/fair/outcomes/:id/practice',
    requireRole('organizer'),
    formHandler({
      body: Empty,
      render: (req, res) => res.redirect(303, `/fair/outcomes/${String(req.params.id)}`),
      async handle(req, res) {
        await fair.turnReportIntoPractice(actorOf(req), String(req.params.id));
        flash(req, 'success', 'fair:flash.practiceDraft');
        res.redirect(303, `/fair/outcomes/${String(req.params.id)}`);
      },
    }),
  );

  return router;
}
