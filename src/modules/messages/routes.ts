/**
 * Pages of the messages module: the liaison directory, conversations, and announcements (the
 * liaison's side under /messages/announcements, the organizer's under /admin/announcements).
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../web/context';
import { actorOf, requireRole, requireUser } from '../../web/auth';
import type { Actor } from '../../kernel';
import { z } from 'zod';
import type { FieldErrors } from '../../kernel';
import { formHandler, type FormValues } from '../../web/forms';
import { flash } from '../../web/flash';
import { pageFrom, paginate } from '../../web/pagination';
import { checkPostingLimit, createPostingLimiter } from '../../web/rate-limit';
import { asemMemberOptions } from '../members';
import { collatorFor } from '../../web/i18n';
import { findContacts, listContactable, type Contact } from './contacts';
import { LIAISONS_PER_PAGE, liaisonDirectory, memberNames } from './directory';
import { BODY_MAX, CONVERSATIONS_PER_PAGE, MAX_RECIPIENTS, NewConversationForm, ReplyForm, SUBJECT_MAX } from './service';
import { ANNOUNCEMENTS_PER_PAGE, AnnouncementForm, RECIPIENTS_PER_PAGE } from './announcements';
import type { MessagesService } from './services';

/** A list from a form or the query string: one value arrives as a string, several as an array. */
function listOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' && v ? [v] : [];
}

/** The new-message page's parameters: a name filter, chosen recipients, a subject to start from. */
const NewMessageQuery = z.object({
  q: z.preprocess((v) => (typeof v === 'string' ? v.slice(0, 100) : ''), z.string()),
  recipients: z.preprocess((v) => listOf(v).slice(0, MAX_RECIPIENTS), z.array(z.string())),
  subject: z.preprocess((v) => (typeof v === 'string' ? v.slice(0, SUBJECT_MAX) : ''), z.string()),
});

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

export function messagesRouter(ctx: AppContext, messages: MessagesService): Router {
  const router = Router();
  const posting = createPostingLimiter(ctx.connection, ctx.rateLimits.posting);
  const limitPosting = (actor: Actor) => checkPostingLimit(posting, actor, ctx.now());

  // ---- Liaison directory (public: the same facts as the member pages) ----
  router.get('/messages/liaisons', async (req, res) => {
    const page = pageFrom(req.query, LIAISONS_PER_PAGE);
    const { groups, total } = await liaisonDirectory(req.user, req.lang, page);
    res.render('messages/liaisons', { title: req.t('messages:liaisons.title'), groups, pagination: paginate('/messages/liaisons', req.query, page, total) });
  });

  // ---- Conversations ----
  router.get('/messages', requireUser, async (req, res) => {
    const actor = actorOf(req);
    const page = pageFrom(req.query, CONVERSATIONS_PER_PAGE);
    const { items, total } = await messages.listConversations(actor, page);
    const pendingAnnouncements = actor.role === 'liaison' ? await messages.listPendingAnnouncements(actor) : [];
    res.render('messages/index', {
      title: req.t('messages:index.title'),
      conversations: items,
      pagination: paginate('/messages', req.query, page, total),
      pendingAnnouncements,
    });
  });

  async function renderNewForm(req: Request, res: Response, form: FormValues, errors: FieldErrors, q = '') {
    const values = { recipients: listOf(form.recipients).slice(0, MAX_RECIPIENTS * 2), subject: typeof form.subject === 'string' ? form.subject : '', body: typeof form.body === 'string' ? form.body : '' };
    const actor = actorOf(req);
    const [{ contacts, more }, chosen, names] = await Promise.all([listContactable(actor, { q }), findContacts(values.recipients), memberNames(req.lang)]);
    const groups = groupRecipients(req, [...chosen, ...contacts], names);
    res.render('messages/new', {
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
    const { q, recipients, subject } = NewMessageQuery.parse(req.query);
    const errors: FieldErrors = {};
    let status = 200;
    if (req.query.to !== undefined) {
      const { contact, allowed } = await messages.recipientFor(actor, req.query.to);
      if (contact && allowed) recipients.push(contact.id);
      else {
        errors.recipients = { key: contact ? 'messages:errors.mayNotContact' : 'messages:errors.unknownRecipient' };
        status = contact ? 403 : 404;
      }
    }
    res.status(status);
    await renderNewForm(req, res, { recipients: [...new Set(recipients)], subject, body: '' }, errors, q);
  });

  router.post(
    '/messages/new',
    requireUser,
    formHandler({
      body: NewConversationForm,
      render: (req, res, { values, errors }) => renderNewForm(req, res, values, errors),
      async handle(req, res, { body }) {
        const actor = actorOf(req);
        await limitPosting(actor);
        const id = await messages.startConversation(actor, body);
        flash(req, 'success', 'messages:flash.started');
        res.redirect(303, `/messages/${id}`);
      },
    }),
  );

  // ---- Announcements: the liaison's side ----
  router.get('/messages/announcements', requireUser, async (req, res) => {
    const actor = actorOf(req);
    const page = pageFrom(req.query, ANNOUNCEMENTS_PER_PAGE);
    const { items, total, pending } = await messages.listReceivedAnnouncements(actor, page);
    res.render('messages/announcements', { title: req.t('messages:announcements.title'), items, pending, pagination: paginate('/messages/announcements', req.query, page, total) });
  });

  router.get('/messages/announcements/:id', requireUser, async (req, res) => {
    const announcement = await messages.readAnnouncement(actorOf(req), String(req.params.id));
    res.render('messages/announcement', { title: announcement.subject, announcement });
  });

  router.post('/messages/announcements/:id/acknowledge', requireUser, async (req, res) => {
    const id = String(req.params.id);
    await messages.acknowledgeAnnouncement(actorOf(req), id);
    flash(req, 'success', 'messages:flash.acknowledged');
    res.redirect(303, `/messages/announcements/${id}`);
  });

  // ---- One conversation ----
  router.get('/messages/:id', requireUser, async (req, res) => {
    const actor = actorOf(req);
    const requested = typeof req.query.page === 'string' ? pageFrom(req.query, 1).page : undefined;
    const conversation = await messages.readConversation(actor, String(req.params.id), { page: requested });
    // The header badge was counted before this view marked the conversation read.
    res.locals.unreadMessages = Math.max(0, Number(res.locals.unreadMessages ?? 0) - conversation.unreadBefore);
    const pagination = paginate(`/messages/${conversation.id}`, req.query, { page: conversation.page, perPage: conversation.perPage, skip: 0 }, conversation.total);
    const names = await memberNames(req.lang);
    res.render('messages/show', { title: conversation.subject, conversation, pagination, values: { body: '' }, errors: {}, limits: { body: BODY_MAX }, memberName: (code: string) => names.get(code) ?? code });
  });

  router.post(
    '/messages/:id',
    requireUser,
    formHandler({
      body: ReplyForm,
      async render(req, res, { values, errors }) {
        // Shown again without marking anything read: the writer has not looked at new messages yet.
        const conversation = await messages.readConversation(actorOf(req), String(req.params.id), { markRead: false });
        const pagination = paginate(`/messages/${conversation.id}`, {}, { page: conversation.page, perPage: conversation.perPage, skip: 0 }, conversation.total);
        const names = await memberNames(req.lang);
        res.render('messages/show', { title: conversation.subject, conversation, pagination, values: { body: values.body ?? '' }, errors, limits: { body: BODY_MAX }, memberName: (code: string) => names.get(code) ?? code });
      },
      async handle(req, res, { body }) {
        const actor = actorOf(req);
        const id = String(req.params.id);
        await messages.conversationHeader(actor, id); // 404 before counting against the rate limit
        await limitPosting(actor);
        const { page, messageId } = await messages.replyToConversation(actor, id, body.body);
        flash(req, 'success', 'messages:flash.replied');
        res.redirect(303, `/messages/${id}${page > 1 ? `?page=${page}` : ''}#m-${messageId}`);
      },
    }),
  );

  // ---- Announcements: the organizer's side ----
  const organizer = requireRole('organizer');

  router.get('/admin/announcements', organizer, async (req, res) => {
    const page = pageFrom(req.query, ANNOUNCEMENTS_PER_PAGE);
    const { items, total } = await messages.listAnnouncements(actorOf(req), page);
    res.render('messages/admin-list', { title: req.t('messages:admin.title'), items, pagination: paginate('/admin/announcements', req.query, page, total) });
  });

  async function renderAnnouncementForm(req: Request, res: Response, form: FormValues, errors: FieldErrors) {
    const values = { subject: form.subject ?? '', body: form.body ?? '', audience: form.audience || 'all', members: listOf(form.members) };
    res.render('messages/admin-new', {
      title: req.t('messages:admin.newTitle'),
      values,
      errors,
      memberOptions: await asemMemberOptions(req.lang),
      limits: { subject: SUBJECT_MAX, body: BODY_MAX },
    });
  }

  router.get('/admin/announcements/new', organizer, async (req, res) => {
    await renderAnnouncementForm(req, res, {}, {});
  });

  router.post(
    '/admin/announcements/new',
    organizer,
    formHandler({
      body: AnnouncementForm,
      render: (req, res, { values, errors }) => renderAnnouncementForm(req, res, values, errors),
      async handle(req, res, { body }) {
        const id = await messages.sendAnnouncement(actorOf(req), body);
        flash(req, 'success', 'messages:flash.announced');
        res.redirect(303, `/admin/announcements/${id}`);
      },
    }),
  );

  router.get('/admin/announcements/:id', organizer, async (req, res) => {
    const pages = { pending: pageFrom(req.query, RECIPIENTS_PER_PAGE, 'pending'), acknowledged: pageFrom(req.query, RECIPIENTS_PER_PAGE, 'acknowledged') };
    const status = await messages.announcementStatus(actorOf(req), String(req.params.id), pages);
    const names = await memberNames(req.lang);
    const base = `/admin/announcements/${status.announcement.id}`;
    res.render('messages/admin-show', {
      title: status.announcement.subject,
      ...status,
      pendingPagination: paginate(base, req.query, status.pending.page, status.pending.total, 'pending'),
      acknowledgedPagination: paginate(base, req.query, status.acknowledged.page, status.acknowledged.total, 'acknowledged'),
      memberName: (code: string) => names.get(code) ?? code,
    });
  });

  router.post('/admin/announcements/:id/remind', organizer, async (req, res) => {
    const id = String(req.params.id);
    const count = await messages.remindPending(actorOf(req), id);
    flash(req, count ? 'success' : 'info', count ? 'messages:flash.reminded' : 'messages:flash.nobodyToRemind', { count });
    res.redirect(303, `/admin/announcements/${id}`);
  });

  return router;
}
