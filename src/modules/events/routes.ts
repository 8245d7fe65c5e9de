/**
 * Pages of the officials' mechanism: /events (calendar and feeds), /events/:id, its delegations and
 * working documents. Guard → form → service → render/redirect; the rules live in service.ts.
 */
import { Router, type Request, type Response } from 'express';
import { actorOf, requireRole, requireUser } from '../../web/auth';
import type { AppContext } from '../../web/context';
import { NotFoundError, ValidationError, type Language } from '../../kernel';
import { flash } from '../../web/flash';
import { formHandler, type FormState } from '../../web/forms';
import { paginate } from '../../web/pagination';
import { translator } from '../../web/i18n';
import { ACCEPT_ATTRIBUTE, MAX_FILE_BYTES, sendStoredFile, uploadMiddleware, uploadsOf } from '../../web/uploads';
import { reachablePerson } from '../accounts';
import { listAsemMembers } from '../members';
import { icsOf } from './calendar';
import { CommentForm, DelegationForm, DocumentForm, EventForm, PublishForm, VersionForm, isTimeZone } from './forms';
import { DOCUMENT_KINDS, EVENT_KINDS, VISIBILITIES, type DelegationDoc } from './model';
import {
  calendar,
  commentsOpen,
  documentPage,
  delegationOf,
  delegationsCsv,
  delegationsOpen,
  eventEntry,
  eventFormValues,
  feedHolder,
  getEvent,
  isOfficial,
  listDocuments,
  versionFile,
  type EventsService,
} from './service';

const TIME_ZONES = ['Asia/Shanghai', 'Asia/Tokyo', 'Asia/Seoul', 'Asia/Singapore', 'Asia/Bangkok', 'Asia/Kolkata', 'Europe/Brussels', 'Europe/Berlin', 'Europe/Paris', 'Europe/London', 'Europe/Helsinki', 'UTC'];

function dayValue(d: Date | null | undefined): string {
  return d ? d.toISOString().slice(0, 10) : '';
}

function uploadProblem(req: Request): Record<string, { key: string; params?: Record<string, string | number> }> {
  const { error } = uploadsOf(req);
  return error ? { file: { key: error.key, params: error.params } } : {};
}

export function eventsRouter(ctx: AppContext, events: EventsService): Router {
  const router = Router();
  const upload = uploadMiddleware(ctx, { field: 'file', maxFiles: 1 });
  const baseUrl = ctx.config.baseUrl;

  // ---- calendar ----
  router.get('/events', async (req, res) => {
    const actor = req.user;
    const entries = await calendar(actor);
    const now = ctx.now();
    const feedUrl = isOfficial(actor) ? `${baseUrl}/events/feed/${await events.feedToken(actor)}.ics` : null;
    res.render('events/index', {
      title: req.t('events:title'),
      upcoming: entries.filter((e) => e.endsAt.getTime() + 24 * 3600 * 1000 > now.getTime()),
      past: entries.filter((e) => e.endsAt.getTime() + 24 * 3600 * 1000 <= now.getTime()).reverse(),
      feedUrl,
      publicFeedUrl: `${baseUrl}/events.ics`,
      isOrganizer: actor?.role === 'organizer',
    });
  });

  router.get('/events.ics', async (req, res) => {
    const entries = await calendar(undefined, { includeOfficials: false });
    res.type('text/calendar; charset=utf-8').send(icsOf(entries, { name: req.t('events:feedName'), baseUrl, lang: req.lang }));
  });

  router.get('/events/feed/:token.ics', async (req, res) => {
    const holder = await feedHolder(req.params.token);
    const person = holder ? await reachablePerson(holder) : null;
    if (!person || (person.role !== 'liaison' && person.role !== 'organizer')) throw new NotFoundError();
    const entries = await calendar(undefined, { includeOfficials: true });
    res.type('text/calendar; charset=utf-8').send(icsOf(entries, { name: translator(person.language)('events:privateFeedName'), baseUrl, lang: person.language }));
  });

  router.post('/events/feed/regenerate', requireUser, async (req, res) => {
    await events.regenerateFeedToken(actorOf(req));
    flash(req, 'success', 'events:flash.feedRegenerated');
    res.redirect(303, '/events');
  });

  // ---- new event (organizer) ----
  async function showEventForm(req: Request, res: Response, state: FormState, editing: string | null = null) {
    res.render('events/new', {
      title: req.t(editing ? 'events:edit.title' : 'events:new.title'),
      action: editing ? `/events/${editing}/edit` : '/events/new',
      editing,
      values: state.values,
      errors: state.errors,
      kinds: EVENT_KINDS,
      visibilities: VISIBILITIES,
      // An event's own zone stays choosable when it is not among the usual ones.
      timeZones: [...new Set([...TIME_ZONES, ...(typeof state.values.timeZone === 'string' && isTimeZone(state.values.timeZone) ? [state.values.timeZone] : [])])],
      members: await listAsemMembers(req.lang),
    });
  }
  router.get('/events/new', requireRole('organizer'), (req, res) =>
    showEventForm(req, res, { values: { kind: 'som', visibility: 'officials', timeZone: 'Asia/Shanghai' }, errors: {} }),
  );
  router.post(
    '/events/new',
    requireRole('organizer'),
    formHandler({
      body: EventForm,
      render: showEventForm,
      async handle(req, res, { body }) {
        const event = await events.createEvent(actorOf(req), body);
        flash(req, 'success', 'events:flash.created');
        res.redirect(303, `/events/${String(event._id)}`);
      },
    }),
  );

  // ---- editing an event (organizer) ----
  router.get('/events/:id/edit', requireRole('organizer'), async (req, res) => {
    const event = await getEvent(req.user, req.params.id);
    await showEventForm(req, res, { values: eventFormValues(event), errors: {} }, String(event._id));
  });
  router.post(
    '/events/:id/edit',
    requireRole('organizer'),
    formHandler({
      body: EventForm,
      render: async (req, res, state) => showEventForm(req, res, state, String((await getEvent(req.user, req.params.id))._id)),
      async handle(req, res, { body }) {
        const event = await events.updateEvent(actorOf(req), req.params.id, body);
        flash(req, 'success', 'events:flash.updated');
        res.redirect(303, `/events/${String(event._id)}`);
      },
    }),
  );

  // ---- one event ----
  router.get('/events/:id.ics', async (req, res) => {
    const event = await getEvent(req.user, req.params.id);
    res
      .type('text/calendar; charset=utf-8')
      .attachment(`event-${String(event._id)}.ics`)
      .send(icsOf([eventEntry(event)], { name: event.title[req.lang] || event.title.en, baseUrl, lang: req.lang }));
  });

  router.get('/events/:id', async (req, res) => {
    const actor = req.user;
    const { event, documents } = await listDocuments(actor, req.params.id);
    const members = await listAsemMembers(req.lang);
    const host = members.find((m) => m.code === event.hostMember);
    res.render('events/show', {
      title: event.title[req.lang] || event.title.en,
      event,
      hostName: host ? host.name[req.lang] || host.name.en : event.hostMember,
      documents,
      official: isOfficial(actor),
      isOrganizer: actor?.role === 'organizer',
      isLiaison: actor?.role === 'liaison',
      open: delegationsOpen(event, ctx.now()),
    });
  });

  // ---- delegations ----
  async function showDelegations(req: Request, res: Response, state: FormState | null) {
    const actor = actorOf(req);
    if (actor.role === 'organizer') {
      const { event, rows } = await events.delegationList(actor, req.params.id, req.lang);
      return res.render('events/delegations', {
        title: req.t('events:delegations.title'),
        event,
        rows,
        missing: rows.filter((r) => !r.delegation).length,
        locked: !!event.delegationsLockedAt,
      });
    }
    const { event, delegation } = await delegationOf(actor, req.params.id);
    const values = state?.values ?? valuesOf(delegation);
    res.render('events/delegation-form', {
      title: req.t('events:delegation.title'),
      event,
      delegation,
      values,
      errors: state?.errors ?? {},
      open: delegationsOpen(event, ctx.now()) && actor.role === 'liaison',
      rows: Math.max(3, toList(values.delegateName).length + 1),
    });
  }
  function toList(v: string | string[] | undefined): string[] {
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  }
  function valuesOf(d: DelegationDoc | null): FormState['values'] {
    if (!d) return {};
    return {
      delegateName: d.delegates.map((x) => x.name),
      delegateTitle: d.delegates.map((x) => x.title),
      delegateAgency: d.delegates.map((x) => x.agency),
      arrival: dayValue(d.arrival),
      departure: dayValue(d.departure),
      needs: d.needs,
    };
  }
  router.get('/events/:id/delegations', requireUser, (req, res) => showDelegations(req, res, null));
  router.post(
    '/events/:id/delegations',
    requireUser,
    formHandler({
      body: DelegationForm,
      render: (req, res, state) => showDelegations(req, res, state),
      async handle(req, res, { body }) {
        await events.registerDelegation(actorOf(req), req.params.id, body);
        flash(req, 'success', 'events:flash.delegationSaved');
        res.redirect(303, `/events/${String(req.params.id)}/delegations`);
      },
    }),
  );
  router.get('/events/:id/delegations.csv', requireUser, async (req, res) => {
    const { event, rows } = await events.delegationList(actorOf(req), req.params.id, req.lang);
    const t = req.t;
    const header = ['member', 'memberName', 'name', 'position', 'agency', 'arrival', 'departure', 'needs'].map((k) => t(`events:csv.${k}`));
    res
      .type('text/csv; charset=utf-8')
      .attachment(`delegations-${String(event._id)}.csv`)
      .send(delegationsCsv(rows, header, t('events:csv.missing')));
  });
  router.post('/events/:id/delegations/lock', requireUser, async (req, res) => {
    await events.lockDelegations(actorOf(req), req.params.id);
    flash(req, 'success', 'events:flash.locked');
    res.redirect(303, `/events/${String(req.params.id)}/delegations`);
  });

  // ---- working documents ----
  async function showDocuments(req: Request, res: Response, state: FormState | null) {
    const actor = req.user;
    const { event, documents } = await listDocuments(actor, req.params.id);
    res.render('events/documents', {
      title: req.t('events:documents.title'),
      event,
      documents,
      official: isOfficial(actor),
      isOrganizer: actor?.role === 'organizer',
      values: state?.values ?? { kind: 'agenda' },
      errors: state?.errors ?? {},
      kinds: DOCUMENT_KINDS,
      accept: ACCEPT_ATTRIBUTE,
      maxMb: MAX_FILE_BYTES / (1024 * 1024),
    });
  }
  router.get('/events/:id/documents', (req, res) => showDocuments(req, res, null));
  router.post(
    '/events/:id/documents',
    requireUser,
    upload,
    formHandler({
      body: DocumentForm,
      render: (req, res, state) => showDocuments(req, res, state),
      moreProblems: async (req) => uploadProblem(req),
      async handle(req, res, { body }) {
        const problem = uploadProblem(req);
        if (problem.file) throw new ValidationError(problem);
        // moreProblems runs only when the fields themselves are invalid: a refused file stops here.
        if (Object.keys(uploadProblem(req)).length) throw new ValidationError(uploadProblem(req));
        const doc = await events.createDocument(actorOf(req), req.params.id, body, uploadsOf(req).files);
        flash(req, 'success', 'events:flash.documentUploaded');
        res.redirect(303, `/events/${String(req.params.id)}/documents/${String(doc._id)}`);
      },
    }),
  );

  async function showDocument(req: Request, res: Response, state: FormState | null, form: 'version' | 'comment' | 'publish' | null = null) {
    const actor = req.user;
    const asNumber = (v: unknown) => (typeof v === 'string' && /^[0-9]{1,6}$/.test(v) ? Number(v) : undefined);
    const { event, document, versions, versionCount, commentCounts, selected } = await documentPage(actor, req.params.id, req.params.docId, { version: asNumber(req.query.v), page: asNumber(req.query.page) });
    const lang: Language = req.lang;
    const base = `/events/${String(event._id)}/documents/${String(document._id)}`;
    res.render('events/document', {
      title: document.title,
      event,
      eventTitle: event.title[lang] || event.title.en,
      document,
      versions,
      olderVersions: versionCount - versions.length,
      commentCounts,
      selected,
      commentsPagination: selected ? paginate(base, { v: String(selected.version) }, { page: selected.page, perPage: selected.perPage, skip: 0 }, selected.total) : null,
      official: isOfficial(actor),
      isOrganizer: actor?.role === 'organizer',
      canComment: isOfficial(actor) && commentsOpen(document, ctx.now()),
      form,
      values: state?.values ?? {},
      errors: state?.errors ?? {},
      accept: ACCEPT_ATTRIBUTE,
    });
  }
  router.get('/events/:id/documents/:docId', (req, res) => showDocument(req, res, null));
  router.get('/events/:id/documents/:docId/v/:n', async (req, res) => {
    const ref = await versionFile(req.user, req.params.id, req.params.docId, req.params.n);
    await sendStoredFile(ctx, res, ref);
  });
  router.post(
    '/events/:id/documents/:docId/versions',
    requireUser,
    upload,
    formHandler({
      body: VersionForm,
      render: (req, res, state) => showDocument(req, res, state, 'version'),
      moreProblems: async (req) => uploadProblem(req),
      async handle(req, res, { body }) {
        const problem = uploadProblem(req);
        if (problem.file) throw new ValidationError(problem);
        if (Object.keys(uploadProblem(req)).length) throw new ValidationError(uploadProblem(req));
        const n = await events.addVersion(actorOf(req), req.params.id, req.params.docId, body, uploadsOf(req).files);
        flash(req, 'success', 'events:flash.versionUploaded', { version: n });
        res.redirect(303, `/events/${String(req.params.id)}/documents/${String(req.params.docId)}`);
      },
    }),
  );
  router.post(
    '/events/:id/documents/:docId/comments',
    requireUser,
    formHandler({
      body: CommentForm.extend({ version: PublishForm.shape.version }),
      render: (req, res, state) => showDocument(req, res, state, 'comment'),
      async handle(req, res, { body }) {
        const { version, page } = await events.addComment(actorOf(req), req.params.id, req.params.docId, body.version, body.body);
        flash(req, 'success', 'events:flash.commented');
        res.redirect(303, `/events/${String(req.params.id)}/documents/${String(req.params.docId)}?v=${version}${page > 1 ? `&page=${page}` : ''}#v${version}`);
      },
    }),
  );
  router.post(
    '/events/:id/documents/:docId/publish',
    requireUser,
    formHandler({
      body: PublishForm,
      render: (req, res, state) => showDocument(req, res, state, 'publish'),
      async handle(req, res, { body }) {
        await events.publishVersion(actorOf(req), req.params.id, req.params.docId, body);
        flash(req, 'success', 'events:flash.published', { version: body.version });
        res.redirect(303, `/events/${String(req.params.id)}/documents/${String(req.params.docId)}`);
      },
    }),
  );

  return router;
}
