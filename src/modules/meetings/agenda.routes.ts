/**
 * Pages of the meetings at the hall after booking: the personal agenda (/fair/agenda), its private
 * calendar feed (/fair/agenda/:token.ics), the outcome form per meeting, the liaison's view of its
 * member's SMEs' meetings (/fair/agenda/member), and the organizer's grid with no-show marks, CSV
 * and figures (/admin/fair/meetings/grid). Guard → form → service → render/redirect.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { BadRequestError, NotFoundError, type Actor } from '../../kernel';
import { actorOf, requireRole, requireUser } from '../../web/auth';
import type { AppContext } from '../../web/context';
import { flash } from '../../web/flash';
import { fields, formHandler, type FormState } from '../../web/forms';
import { isTimeZone } from './slots';
import { MEMBER_ZONES, agendaItem, memberMeetings, type AgendaService } from './agenda';
import { meetingFigures } from './figures';
import { gridCsv, markNoShow, meetingDay, meetingGrid } from './grid';
import { FOLLOW_UPS, MeetingSettings } from './model';
import { draftText, ownMeeting, type OutcomeService } from './outcomes';

const OutcomeForm = z.object({
  tookPlace: z.enum(['yes', 'no'], 'agenda:errors.tookPlace'),
  followUp: z.enum(FOLLOW_UPS, 'agenda:errors.followUp').optional(),
  note: fields.optionalText(2000),
});

const NoShowForm = z.object({
  user: fields.objectId(),
  absent: z.enum(['yes', 'no']),
});

/** Zones offered on the agenda's zone picker: the members' capitals and UTC, each once, sorted. */
const ZONE_CHOICES = [...new Set([...Object.values(MEMBER_ZONES), 'UTC'])].filter(isTimeZone).sort();

export interface AgendaRouterServices {
  agenda: AgendaService;
  outcomes: OutcomeService;
}

export function agendaRouter(ctx: AppContext, services: AgendaRouterServices): Router {
  const router = Router();
  const { agenda, outcomes } = services;

  // ---- the personal agenda ----
  router.get('/fair/agenda', requireUser, async (req, res) => {
    const actor = actorOf(req);
    const view = await agenda.agenda(actor, { tz: req.query.tz });
    res.status(view.zoneInvalid ? 400 : 200).render('agenda/index', {
      title: req.t('agenda:title'),
      ...view,
      tzValue: typeof req.query.tz === 'string' ? req.query.tz : view.zone ?? '',
      zoneChoices: ZONE_CHOICES,
      isLiaison: actor.role === 'liaison',
    });
  });

  router.post('/fair/agenda/feed', requireUser, async (req, res) => {
    const token = await agenda.regenerateFeed(actorOf(req));
    flash(req, 'success', 'agenda:flash.feedCreated', { url: `${ctx.config.baseUrl}/fair/agenda/${token}.ics` });
    res.redirect(303, '/fair/agenda');
  });

  router.get('/fair/agenda/member', requireRole('liaison'), async (req, res) => {
    const view = await memberMeetings(actorOf(req));
    res.render('agenda/member', { title: req.t('agenda:member.title'), ...view });
  });

  router.get('/fair/agenda/:token.ics', async (req, res) => {
    const ics = await agenda.feed(req.params.token);
    res.set('Cache-Control', 'private, no-store').type('text/calendar; charset=utf-8').send(ics);
  });

  // ---- after the fair: the outcome of one meeting ----
  async function showOutcome(req: Request, res: Response, state: FormState) {
    const actor = actorOf(req);
    const { meeting, side } = await ownMeeting(actor, req.params.id);
    const settings = await MeetingSettings.findOne({ edition: meeting.edition }, { timeZone: 1 }).lean<{ timeZone: string }>();
    const item = agendaItem(meeting, side, settings?.timeZone ?? 'Asia/Shanghai', null, ctx.now());
    if (!item.canRecord) throw new NotFoundError();
    const mine = item.myOutcome;
    const values = Object.keys(state.values).length
      ? state.values
      : { tookPlace: mine ? (mine.tookPlace ? 'yes' : 'no') : '', followUp: mine?.followUp ?? '', note: mine?.note ?? '' };
    res.render('agenda/outcome', { title: req.t('agenda:outcome.title'), item, values, errors: state.errors, followUps: FOLLOW_UPS });
  }

  router.get('/fair/agenda/:id/outcome', requireUser, (req, res) => showOutcome(req, res, { values: {}, errors: {} }));
  router.post(
    '/fair/agenda/:id/outcome',
    requireUser,
    formHandler({
      body: OutcomeForm,
      render: showOutcome,
      async handle(req, res, { body }) {
        if (body.tookPlace === 'yes' && !body.followUp) return showOutcome(req, res.status(422), { values: { tookPlace: 'yes', followUp: '', note: body.note ?? '' }, errors: { followUp: { key: 'agenda:errors.followUp' } } });
        await outcomes.record(actorOf(req), req.params.id, { tookPlace: body.tookPlace === 'yes', followUp: body.followUp ?? 'nothing', note: body.note ?? '' });
        flash(req, 'success', 'agenda:flash.outcomeSaved');
        res.redirect(303, '/fair/agenda');
      },
    }),
  );

  router.post('/fair/agenda/:id/practice', requireRole('member'), async (req, res) => {
    const actor: Actor = actorOf(req);
    const { meeting, side } = await ownMeeting(actor, req.params.id);
    const settings = await MeetingSettings.findOne({ edition: meeting.edition }, { timeZone: 1 }).lean<{ timeZone: string }>();
    const id = await outcomes.draft(actor, req.params.id, req.lang, draftText(meeting, side, settings?.timeZone ?? 'Asia/Shanghai', req.t as (k: string, p?: Record<string, unknown>) => string));
    flash(req, 'success', 'agenda:flash.draftCreated');
    res.redirect(303, `/practices/${id}/edit`);
  });

  // ---- the organizer's grid ----
  router.get('/admin/fair/meetings/grid', requireRole('organizer'), async (req, res) => {
    const actor = actorOf(req);
    const now = ctx.now();
    const grid = await meetingGrid(actor, req.query.day, now);
    const figures = grid.edition ? await meetingFigures({ edition: String(grid.edition._id) }, now) : null;
    res.status(grid.badDay ? 400 : 200).render('agenda/grid', { title: req.t('agenda:grid.title'), grid, figures });
  });

  router.get('/admin/fair/meetings/grid.csv', requireRole('organizer'), async (req, res) => {
    const { csv, name } = await gridCsv(actorOf(req), req.query.day);
    res.type('text/csv; charset=utf-8').attachment(name).send(csv);
  });

  router.post('/admin/fair/meetings/:id/no-show', requireRole('organizer'), async (req, res) => {
    const parsed = NoShowForm.safeParse(req.body);
    if (!parsed.success) throw new BadRequestError();
    const meeting = await markNoShow(actorOf(req), req.params.id, parsed.data.user, parsed.data.absent === 'yes', ctx.now());
    flash(req, 'success', parsed.data.absent === 'yes' ? 'agenda:flash.noShowMarked' : 'agenda:flash.noShowCleared');
    res.redirect(303, `/admin/fair/meetings/grid?day=${encodeURIComponent(meeting.day || ((await meetingDay(String(req.params.id))) ?? ''))}`);
  });

  return router;
}
