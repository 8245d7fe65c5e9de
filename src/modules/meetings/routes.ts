/**
 * Meetings at the hall: the participants (/fair/meetings), registration, unavailable slots, a
 * participant's page with the request form, requests and booked meetings (/fair/meetings/requests),
 * and the organizer's sessions (/admin/fair/meetings). Each route: guard → parse → service → render.
 */
import { Router, type Request, type Response } from 'express';
import type { Types } from 'mongoose';
import type { Language } from '../../kernel';
import { NotFoundError } from '../../kernel';
import { actorOf, requireRole, requireUser } from '../../web/auth';
import type { AppContext } from '../../web/context';
import { flash } from '../../web/flash';
import { formHandler, formValues, type FormState } from '../../web/forms';
import { formatDate, localized } from '../../web/i18n';
import { paginate, pageFrom } from '../../web/pagination';
import { listAsemMembers } from '../members';
import { currentEdition, findEdition, listBooths, listEditions, type FairEditionDoc } from '../fair';
import {
  AcceptForm,
  DeclineForm,
  ProposeForm,
  RequestForm,
  effectiveState,
  meetingsOf,
  participantsById,
  requestOf,
  requestsOf,
  sharedFreeSlots,
} from './booking';
import { Meeting, PARTICIPANT_KINDS, type MeetingDoc, type MeetingParticipantDoc, type MeetingSettingsDoc } from './model';
import { RegistrationForm, UnavailableForm, findParticipant, listParticipants, ownParticipant, registrationOpen } from './participants';
import { buildMeetingPlan } from './plan';
import type { MeetingsService } from './service';
import { SessionsDropMeetingsError, SettingsForm, settingsFormValues, settingsOf, startingSettings } from './settings';
import { localDate, localTime, slotsOf, type Slot } from './slots';

const PER_PAGE = 20;

/** How views show a slot start: the local day and time in the edition's zone. */
function slotFormatter(settings: Pick<MeetingSettingsDoc, 'timeZone'>, lang: Language) {
  return (at: Date) => {
    const day = localDate(at, settings.timeZone);
    return `${formatDate(`${day}T12:00:00Z`, lang, { dateStyle: 'medium', timeZone: 'UTC' })} ${localTime(at, settings.timeZone)}`;
  };
}

function byDay(slots: Slot[]): { day: string; slots: Slot[] }[] {
  const out: { day: string; slots: Slot[] }[] = [];
  for (const s of slots) {
    const last = out[out.length - 1];
    if (last && last.day === s.day) last.slots.push(s);
    else out.push({ day: s.day, slots: [s] });
  }
  return out;
}

function placeLabel(req: Request, m: Pick<MeetingDoc, 'table' | 'booth'>): string {
  return m.table !== null ? req.t('meetings:place.table', { table: m.table }) : req.t('meetings:place.booth', { booth: m.booth ?? '' });
}

function who(p: Pick<MeetingParticipantDoc, 'name' | 'companyName'> | undefined): string {
  if (!p) return '—';
  return p.companyName ? `${p.name} (${p.companyName})` : p.name;
}

export function meetingsRouter(ctx: AppContext, meetings: MeetingsService): Router {
  const router = Router();

  /** The current edition and its sessions, or a page saying there are none yet. */
  async function current(req: Request, res: Response): Promise<{ edition: FairEditionDoc; settings: MeetingSettingsDoc } | null> {
    const edition = await currentEdition();
    const settings = edition ? await settingsOf(edition._id) : null;
    if (!edition || !settings) {
      res.render('meetings/none', { title: req.t('meetings:title') });
      return null;
    }
    return { edition, settings };
  }

  async function memberNames(lang: Language) {
    const members = await listAsemMembers(lang);
    const byCode = new Map(members.map((m) => [m.code, localized(m.name, lang)]));
    return { memberName: (code: string) => byCode.get(code) ?? code, memberOptions: members.map((m) => ({ value: m.code, label: localized(m.name, lang) })) };
  }

  /* ---- participants ---- */

  router.get('/fair/meetings', requireUser, async (req, res) => {
    const found = await current(req, res);
    if (!found) return;
    const { edition, settings } = found;
    const actor = actorOf(req);
    const page = pageFrom(req.query, PER_PAGE);
    const str = (v: unknown) => (typeof v === 'string' ? v : '');
    const filters = { member: str(req.query.member), kind: str(req.query.kind), day: str(req.query.day), q: str(req.query.q) };
    const [{ rows, total }, own, booths, names] = await Promise.all([listParticipants(edition._id, filters, page), ownParticipant(actor, edition._id), listBooths(edition._id), memberNames(req.lang)]);
    res.render('meetings/index', {
      title: req.t('meetings:title'),
      edition,
      settings,
      own,
      rows,
      filters,
      kinds: PARTICIPANT_KINDS,
      ...names,
      pagination: paginate('/fair/meetings', req.query, page, total),
      open: registrationOpen(settings, meetings.now()),
      mayRegister: (actor.role === 'member' && Boolean(actor.companyId)) || actor.role === 'liaison',
      plan: buildMeetingPlan(booths, settings),
      formatDateTime: slotFormatter(settings, req.lang),
      lang: req.lang,
    });
  });

  async function showRegistration(req: Request, res: Response, state?: FormState) {
    const found = await current(req, res);
    if (!found) return;
    const own = await ownParticipant(actorOf(req), found.edition._id);
    const values = state?.values ?? (own && own.active ? { days: own.days, topics: own.topics, meetAtBooth: own.meetAtBooth ? 'on' : '' } : { days: found.settings.days.map((d) => d.date), topics: '' });
    res.render('meetings/register', {
      title: req.t(own?.active ? 'meetings:register.editTitle' : 'meetings:register.title'),
      settings: found.settings,
      own,
      values,
      errors: state?.errors ?? {},
      open: registrationOpen(found.settings, meetings.now()),
      lang: req.lang,
    });
  }

  router.get('/fair/meetings/register', requireRole('member', 'liaison'), async (req, res) => {
    await showRegistration(req, res);
  });

  router.post(
    '/fair/meetings/register',
    requireRole('member', 'liaison'),
    formHandler({
      body: RegistrationForm,
      render: (req, res, state) => showRegistration(req, res, state),
      async handle(req, res, { body }) {
        const edition = await currentEdition();
        const settings = edition ? await settingsOf(edition._id) : null;
        if (!settings) throw new NotFoundError();
        await meetings.register(actorOf(req), settings, body);
        flash(req, 'success', 'meetings:flash.registered');
        res.redirect(303, '/fair/meetings');
      },
    }),
  );

  router.post('/fair/meetings/withdraw', requireRole('member', 'liaison'), async (req, res) => {
    const edition = await currentEdition();
    if (!edition) throw new NotFoundError();
    const { cancelledMeetings } = await meetings.withdraw(actorOf(req), edition._id);
    flash(req, 'success', 'meetings:flash.withdrawn', { count: cancelledMeetings });
    res.redirect(303, '/fair/meetings');
  });

  async function showUnavailable(req: Request, res: Response, state?: FormState) {
    const found = await current(req, res);
    if (!found) return;
    const own = await ownParticipant(actorOf(req), found.edition._id);
    if (!own || !own.active) throw new NotFoundError();
    const chosen = state?.values.slot ?? own.unavailable.map((d) => d.toISOString());
    res.render('meetings/unavailable', {
      title: req.t('meetings:unavailable.title'),
      settings: found.settings,
      days: byDay(slotsOf(found.settings).filter((s) => own.kind === 'exhibitor' || own.days.includes(s.day))),
      chosen: new Set(Array.isArray(chosen) ? chosen : [chosen]),
      errors: state?.errors ?? {},
      dayLabel: (day: string) => formatDate(`${day}T12:00:00Z`, req.lang, { dateStyle: 'full', timeZone: 'UTC' }),
    });
  }

  router.get('/fair/meetings/unavailable', requireRole('member', 'liaison'), async (req, res) => {
    await showUnavailable(req, res);
  });

  router.post(
    '/fair/meetings/unavailable',
    requireRole('member', 'liaison'),
    formHandler({
      body: UnavailableForm,
      render: (req, res, state) => showUnavailable(req, res, state),
      async handle(req, res, { body }) {
        const edition = await currentEdition();
        const settings = edition ? await settingsOf(edition._id) : null;
        if (!settings) throw new NotFoundError();
        const count = await meetings.setUnavailable(actorOf(req), settings, body.slot);
        flash(req, 'success', 'meetings:flash.unavailableSaved', { count });
        res.redirect(303, '/fair/meetings');
      },
    }),
  );

  async function showParticipant(req: Request, res: Response, state?: FormState) {
    const found = await current(req, res);
    if (!found) return;
    const { edition, settings } = found;
    const participant = await findParticipant(edition._id, req.params.id);
    const actor = actorOf(req);
    const own = await ownParticipant(actor, edition._id);
    const self = own !== null && String(own._id) === String(participant._id);
    const free = own && own.active && !self ? await sharedFreeSlots(settings, own, participant, meetings.now()) : [];
    const names = await memberNames(req.lang);
    res.render('meetings/participant', {
      title: who(participant),
      participant,
      own,
      self,
      free: byDay(free),
      values: state?.values ?? { slot: [], message: '' },
      errors: state?.errors ?? {},
      open: registrationOpen(settings, meetings.now()),
      memberName: names.memberName,
      dayLabel: (day: string) => formatDate(`${day}T12:00:00Z`, req.lang, { dateStyle: 'full', timeZone: 'UTC' }),
      settings,
    });
  }

  router.get('/fair/meetings/participants/:id', requireUser, async (req, res) => {
    await showParticipant(req, res);
  });

  router.post(
    '/fair/meetings/participants/:id/request',
    requireRole('member', 'liaison'),
    formHandler({
      body: RequestForm,
      render: (req, res, state) => showParticipant(req, res, state),
      async handle(req, res, { body }) {
        const edition = await currentEdition();
        const settings = edition ? await settingsOf(edition._id) : null;
        if (!settings) throw new NotFoundError();
        const created = await meetings.sendRequest(actorOf(req), settings, req.params.id, body);
        flash(req, 'success', 'meetings:flash.requested');
        res.redirect(303, `/fair/meetings/requests/${String(created._id)}`);
      },
    }),
  );

  /* ---- requests and booked meetings ---- */

  router.get('/fair/meetings/requests', requireUser, async (req, res) => {
    const found = await current(req, res);
    if (!found) return;
    const actor = actorOf(req);
    const [lists, booked] = await Promise.all([requestsOf(actor, found.edition._id), meetingsOf(actor, found.edition._id)]);
    const ids: Types.ObjectId[] = [...lists.incoming, ...lists.outgoing].flatMap((r) => [r.from, r.to]);
    const people = await participantsById(ids);
    const now = meetings.now();
    res.render('meetings/requests', {
      title: req.t('meetings:requests.title'),
      incoming: lists.incoming,
      outgoing: lists.outgoing,
      booked,
      people,
      who,
      me: actor.id,
      stateOf: (r: Parameters<typeof effectiveState>[0]) => effectiveState(r, now),
      formatDateTime: slotFormatter(found.settings, req.lang),
      placeLabel: (m: MeetingDoc) => placeLabel(req, m),
    });
  });

  async function showRequest(req: Request, res: Response, state?: FormState) {
    const actor = actorOf(req);
    const r = await requestOf(actor, req.params.id);
    const settings = await settingsOf(r.edition);
    if (!settings) throw new NotFoundError();
    const people = await participantsById([r.from, r.to]);
    const from = people.get(String(r.from));
    const to = people.get(String(r.to));
    const now = meetings.now();
    const stateNow = effectiveState(r, now);
    const myTurn = stateNow === 'pending' && String(r.awaiting) === actor.id;
    const free = myTurn && from && to && from.active && to.active ? await sharedFreeSlots(settings, from, to, now) : [];
    const meeting = r.meeting ? await Meeting.findById(r.meeting).lean<MeetingDoc>() : null;
    res.render('meetings/request', {
      title: req.t('meetings:request.title'),
      r,
      from,
      to,
      who,
      incoming: String(r.toUser) === actor.id,
      stateNow,
      myTurn,
      offered: r.slots.filter((s) => s.getTime() > now.getTime()),
      free: byDay(free),
      meeting,
      values: state?.values ?? {},
      errors: state?.errors ?? {},
      formatDateTime: slotFormatter(settings, req.lang),
      placeLabel: (m: MeetingDoc) => placeLabel(req, m),
      dayLabel: (day: string) => formatDate(`${day}T12:00:00Z`, req.lang, { dateStyle: 'full', timeZone: 'UTC' }),
    });
  }

  router.get('/fair/meetings/requests/:id', requireUser, async (req, res) => {
    await showRequest(req, res);
  });

  router.post(
    '/fair/meetings/requests/:id/accept',
    requireUser,
    formHandler({
      body: AcceptForm,
      render: (req, res, state) => showRequest(req, res, state),
      async handle(req, res, { body }) {
        await meetings.acceptRequest(actorOf(req), req.params.id, body.slot);
        flash(req, 'success', 'meetings:flash.accepted');
        res.redirect(303, `/fair/meetings/requests/${String(req.params.id)}`);
      },
    }),
  );

  router.post(
    '/fair/meetings/requests/:id/decline',
    requireUser,
    formHandler({
      body: DeclineForm,
      render: (req, res, state) => showRequest(req, res, state),
      async handle(req, res, { body }) {
        await meetings.declineRequest(actorOf(req), req.params.id, body.reason ?? '');
        flash(req, 'success', 'meetings:flash.declined');
        res.redirect(303, '/fair/meetings/requests');
      },
    }),
  );

  router.post(
    '/fair/meetings/requests/:id/propose',
    requireUser,
    formHandler({
      body: ProposeForm,
      render: (req, res, state) => showRequest(req, res, state),
      async handle(req, res, { body }) {
        await meetings.proposeSlots(actorOf(req), req.params.id, body);
        flash(req, 'success', 'meetings:flash.proposed');
        res.redirect(303, `/fair/meetings/requests/${String(req.params.id)}`);
      },
    }),
  );

  router.post('/fair/meetings/booked/:id/cancel', requireUser, async (req, res) => {
    await meetings.cancelMeeting(actorOf(req), req.params.id);
    flash(req, 'success', 'meetings:flash.cancelled');
    res.redirect(303, '/fair/meetings/requests');
  });

  /* ---- the organizer's sessions ---- */

  async function editionFor(req: Request): Promise<FairEditionDoc | null> {
    const id = typeof req.query.edition === 'string' ? req.query.edition : '';
    return id ? findEdition(id) : currentEdition();
  }

  async function showSettings(req: Request, res: Response, state?: FormState, dropped: MeetingDoc[] = []) {
    const edition = await editionFor(req);
    if (!edition) return res.render('meetings/none', { title: req.t('meetings:admin.title') });
    const saved = await settingsOf(edition._id);
    const start = saved ?? (await startingSettings(edition, meetings.now()));
    const [booths, booked, editions] = await Promise.all([
      listBooths(edition._id),
      Meeting.find({ edition: edition._id, status: 'booked' }).sort({ startsAt: 1, table: 1 }).limit(500).lean<MeetingDoc[]>(),
      listEditions(),
    ]);
    const shown = saved ?? start;
    res.render('meetings/admin', {
      title: req.t('meetings:admin.title'),
      edition,
      editionName: localized(edition.name, req.lang),
      editions: editions.map((e) => ({ id: String(e._id), name: localized(e.name, req.lang) })),
      saved,
      copied: !saved,
      values: state?.values ?? settingsFormValues(start),
      errors: state?.errors ?? {},
      dropped,
      booked,
      plan: buildMeetingPlan(booths, shown),
      slotCount: slotsOf(shown).length,
      formatDateTime: slotFormatter(shown, req.lang),
      placeLabel: (m: MeetingDoc) => placeLabel(req, m),
      sideNames: (m: MeetingDoc) => m.sides.map((s) => (s.companyName ? `${s.name} (${s.companyName})` : s.name)).join(' · '),
      action: `/admin/fair/meetings?edition=${String(edition._id)}`,
      firstDay: edition.startsOn.toISOString().slice(0, 10),
      lastDay: edition.endsOn.toISOString().slice(0, 10),
    });
  }

  router.get('/admin/fair/meetings', requireRole('organizer'), async (req, res) => {
    await showSettings(req, res);
  });

  router.post(
    '/admin/fair/meetings',
    requireRole('organizer'),
    formHandler({
      body: SettingsForm,
      render: (req, res, state) => showSettings(req, res, state),
      async handle(req, res, { body }) {
        const edition = await editionFor(req);
        if (!edition) throw new NotFoundError();
        try {
          await meetings.saveSettings(actorOf(req), edition, body);
        } catch (err) {
          if (err instanceof SessionsDropMeetingsError) {
            res.status(409);
            return await showSettings(req, res, { values: formValues(req.body), errors: { schedule: { key: err.messageKey, ...(err.params ? { params: err.params } : {}) } } }, err.meetings);
          }
          throw err;
        }
        flash(req, 'success', 'meetings:flash.settingsSaved');
        res.redirect(303, `/admin/fair/meetings?edition=${String(edition._id)}`);
      },
    }),
  );

  return router;
}
