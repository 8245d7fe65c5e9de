/**
 * Pages of the messages module: the liaison directory, conversations, and announcements (the
 * liaison's side under /messages/announcements, the organizer's under /admin/announcements).
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../web/context';
import { actorOf, requireRole, requireUser } from '../../web/auth';
import type { Actor } from '../../kernel';
import { ValidationError, type FieldErrors } from '../../kernel';
import { parseForm } from '../../web/forms';
import { flash } from '../../web/flash';
import { pageFrom, paginate } from '../../web/pagination';
import { createRateLimiter } from '../../web/rate-limit';
import { asemMemberOptions } from '../members';
import { collatorFor } from '../../web/i18n';
import { findContacts, listContactable, type Contact } from './contacts';
import { liaisonDirectory, memberNames } from './directory';
import {
  BODY_MAX,
  CONVERSATIONS_PER_PAGE,
  MAX_RECIPIENTS,
  NewConversationForm,
  ReplyForm,
  SUBJECT_MAX,
  conversationHeader,
  listConversations,
  readConversation,
  recipientFor,
  replyToConversation,
  startConversation,
} from './service';
import {
  ANNOUNCEMENTS_PER_PAGE,
  AnnouncementForm,
  acknowledgeAnnouncement,
  announcementStatus,
  listAnnouncements,
  listPendingAnnouncements,
  listReceivedAnnouncements,
  readAnnouncement,
  remindPending,
  sendAnnouncement,
} from './announcements';

const NEW_ACCOUNT_MS = 7 * 24 * 3600 * 1000;

function body(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function strList(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' && v ? [v] : [];
}

interface RecipientGroup {
  label: string;
  contacts: Contact[];
}

/** Recipients grouped for the form: organizers, then liaisons and SMEs by ASEM member. */
function groupRecipients(req: Request, contacts: Contact[], names: Map<string, string>): RecipientGroup[] {
  const groups = new Map<string, RecipientGroup>();
  const add = (key: string, label: string, c: Contact) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { label, contacts: [] }));
    if (!g.contacts.some((x) => x.id === c.id)) g.contacts.push(c);
  };
  for (const c of contacts) {
    const memberName = c.member ? names.get(c.member) ?? c.member : '';
    if (c.role === 'organizer') add('0', req.t('messages:new.groupOrganizers'), c);
    else if (c.role === 'liaison') add(`1${memberName}`, req.t('messages:new.groupLiaisons', { member: memberName }), c);
    else add(`2${memberName}`, req.t('messages:new.groupMembers', { member: memberName }), c);
  }
  const collator = collatorFor(req.lang);
  return [...groups.entries()].sort(([a], [b]) => collator.compare(a, b)).map(([, g]) => g);
}

export function messagesRouter(ctx: AppContext): Router {
  const router = Router();
  const posting = createRateLimiter(ctx.connection, 'posting', ctx.rateLimits.posting);
  const deps = () => ({ mailer: ctx.mailer, baseUrl: ctx.config.baseUrl, now: ctx.now() });

  /** New accounts post at a limited rate (spam from fresh sign-ups); older ones are trusted. */
  async function limitPosting(actor: Actor): Promise<void> {
    if (ctx.now().getTime() - new Date(actor.createdAt).getTime() < NEW_ACCOUNT_MS) await posting.consume(actor.id);
  }

  // ---- Liaison directory (public: the same facts as the member pages) ----
  router.get('/messages/liaisons', async (req, res) => {
    const groups = await liaisonDirectory(req.user, req.lang);
    res.render('messages/liaisons', { title: req.t('messages:liaisons.title'), groups });
  });

  // ---- Conversations ----
  router.get('/messages', requireUser, async (req, res) => {
    const actor = actorOf(req);
    const page = pageFrom(req.query, CONVERSATIONS_PER_PAGE);
    const { items, total } = await listConversations(actor, page);
    const pendingAnnouncements = actor.role === 'liaison' ? await listPendingAnnouncements(actor) : [];
    res.render('messages/index', {
      title: req.t('messages:index.title'),
      conversations: items,
      pagination: paginate('/messages', req.query, page, total),
      pendingAnnouncements,
    });
  });

  async function renderNewForm(req: Request, res: Response, status: number, values: { recipients: string[]; subject: string; body: string }, errors: FieldErrors, q = '') {
    const actor = actorOf(req);
    const [{ contacts, more }, chosen, names] = await Promise.all([listContactable(actor, { q }), findContacts(values.recipients), memberNames(req.lang)]);
    const groups = groupRecipients(req, [...chosen, ...contacts], names);
    res.status(status).render('messages/new', {
      title: req.t('messages:new.title'),
      values,
      errors,
      groups,
      more,
      q,
      limits: { subject: SUBJECT_MAX, body: BODY_MAX, recipients: MAX_RECIPIENTS },
    });
  }

  router.get('/messages/new', requireUser, async (req, res) => {
    const actor = actorOf(req);
    const q = str(req.query.q).slice(0, 100);
    const recipients = strList(req.query.recipients).slice(0, MAX_RECIPIENTS);
    const errors: FieldErrors = {};
    let status = 200;
    if (req.query.to !== undefined) {
      const { contact, allowed } = await recipientFor(actor, req.query.to);
      if (contact && allowed) recipients.push(contact.id);
      else {
        errors.recipients = { key: contact ? 'messages:errors.mayNotContact' : 'messages:errors.unknownRecipient' };
        status = contact ? 403 : 404;
      }
    }
    await renderNewForm(req, res, status, { recipients: [...new Set(recipients)], subject: str(req.query.subject).slice(0, SUBJECT_MAX), body: '' }, errors, q);
  });

  router.post('/messages/new', requireUser, async (req, res) => {
    const actor = actorOf(req);
    const raw = body(req);
    const values = { recipients: strList(raw.recipients).slice(0, MAX_RECIPIENTS * 2), subject: str(raw.subject), body: str(raw.body) };
    const form = parseForm(NewConversationForm, raw);
    if (!form.ok) return renderNewForm(req, res, 422, values, form.errors);
    await limitPosting(actor);
    try {
      const id = await startConversation(actor, form.data, deps());
      flash(req, 'success', 'messages:flash.started');
      res.redirect(303, `/messages/${id}`);
    } catch (err) {
      if (err instanceof ValidationError) return renderNewForm(req, res, 422, values, err.fieldErrors);
      throw err;
    }
  });

  // ---- Announcements: the liaison's side ----
  router.get('/messages/announcements', requireUser, async (req, res) => {
    const actor = actorOf(req);
    const page = pageFrom(req.query, ANNOUNCEMENTS_PER_PAGE);
    const { items, total, pending } = await listReceivedAnnouncements(actor, page);
    res.render('messages/announcements', { title: req.t('messages:announcements.title'), items, pending, pagination: paginate('/messages/announcements', req.query, page, total) });
  });

  router.get('/messages/announcements/:id', requireUser, async (req, res) => {
    const announcement = await readAnnouncement(actorOf(req), String(req.params.id));
    res.render('messages/announcement', { title: announcement.subject, announcement });
  });

  router.post('/messages/announcements/:id/acknowledge', requireUser, async (req, res) => {
    const id = String(req.params.id);
    await acknowledgeAnnouncement(actorOf(req), id, ctx.now());
    flash(req, 'success', 'messages:flash.acknowledged');
    res.redirect(303, `/messages/announcements/${id}`);
  });

  // ---- One conversation ----
  router.get('/messages/:id', requireUser, async (req, res) => {
    const actor = actorOf(req);
    const requested = typeof req.query.page === 'string' ? pageFrom(req.query, 1).page : undefined;
    const conversation = await readConversation(actor, String(req.params.id), { page: requested, now: ctx.now() });
    // The header badge was counted before this view marked the conversation read.
    res.locals.unreadMessages = Math.max(0, Number(res.locals.unreadMessages ?? 0) - conversation.unreadBefore);
    const pagination = paginate(`/messages/${conversation.id}`, req.query, { page: conversation.page, perPage: conversation.perPage, skip: 0 }, conversation.total);
    const names = await memberNames(req.lang);
    res.render('messages/show', { title: conversation.subject, conversation, pagination, values: { body: '' }, errors: {}, limits: { body: BODY_MAX }, memberName: (code: string) => names.get(code) ?? code });
  });

  router.post('/messages/:id', requireUser, async (req, res) => {
    const actor = actorOf(req);
    const id = String(req.params.id);
    const raw = body(req);
    const form = parseForm(ReplyForm, raw);
    if (!form.ok) {
      // Shown again without marking anything read: the writer has not looked at new messages yet.
      const conversation = await readConversation(actor, id, { now: ctx.now(), markRead: false });
      const pagination = paginate(`/messages/${conversation.id}`, {}, { page: conversation.page, perPage: conversation.perPage, skip: 0 }, conversation.total);
      const names = await memberNames(req.lang);
      return res.status(422).render('messages/show', { title: conversation.subject, conversation, pagination, values: { body: str(raw.body) }, errors: form.errors, limits: { body: BODY_MAX }, memberName: (code: string) => names.get(code) ?? code });
    }
    await conversationHeader(actor, id); // 404 before counting against the rate limit
    await limitPosting(actor);
    const { page, messageId } = await replyToConversation(actor, id, form.data.body, deps());
    flash(req, 'success', 'messages:flash.replied');
    res.redirect(303, `/messages/${id}${page > 1 ? `?page=${page}` : ''}#m-${messageId}`);
  });

  // ---- Announcements: the organizer's side ----
  const organizer = requireRole('organizer');

  router.get('/admin/announcements', organizer, async (req, res) => {
    const page = pageFrom(req.query, ANNOUNCEMENTS_PER_PAGE);
    const { items, total } = await listAnnouncements(actorOf(req), page);
    res.render('messages/admin-list', { title: req.t('messages:admin.title'), items, pagination: paginate('/admin/announcements', req.query, page, total) });
  });

  async function renderAnnouncementForm(req: Request, res: Response, status: number, values: Record<string, unknown>, errors: FieldErrors) {
    res.status(status).render('messages/admin-new', {
      title: req.t('messages:admin.newTitle'),
      values,
      errors,
      memberOptions: await asemMemberOptions(req.lang),
      limits: { subject: SUBJECT_MAX, body: BODY_MAX },
    });
  }

  router.get('/admin/announcements/new', organizer, async (req, res) => {
    await renderAnnouncementForm(req, res, 200, { subject: '', body: '', audience: 'all', members: [] }, {});
  });

  router.post('/admin/announcements/new', organizer, async (req, res) => {
    const raw = body(req);
    const values = { subject: str(raw.subject), body: str(raw.body), audience: str(raw.audience) || 'all', members: strList(raw.members) };
    const form = parseForm(AnnouncementForm, raw);
    if (!form.ok) return renderAnnouncementForm(req, res, 422, values, form.errors);
    try {
      const id = await sendAnnouncement(actorOf(req), form.data, deps());
      flash(req, 'success', 'messages:flash.announced');
      res.redirect(303, `/admin/announcements/${id}`);
    } catch (err) {
      if (err instanceof ValidationError) return renderAnnouncementForm(req, res, 422, values, err.fieldErrors);
      throw err;
    }
  });

  router.get('/admin/announcements/:id', organizer, async (req, res) => {
    const status = await announcementStatus(actorOf(req), String(req.params.id));
    const names = await memberNames(req.lang);
    res.render('messages/admin-show', { title: status.announcement.subject, ...status, memberName: (code: string) => names.get(code) ?? code });
  });

  router.post('/admin/announcements/:id/remind', organizer, async (req, res) => {
    const id = String(req.params.id);
    const count = await remindPending(actorOf(req), id, deps());
    flash(req, count ? 'success' : 'info', count ? 'messages:flash.reminded' : 'messages:flash.nobodyToRemind', { count });
    res.redirect(303, `/admin/announcements/${id}`);
  });

  return router;
}
