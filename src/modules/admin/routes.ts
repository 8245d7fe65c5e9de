/**
 * Organizer pages under /admin. The route guard keeps others out early; the services check again.
 */
import { Router, type Request, type Response } from 'express';
import { actorOf, requireRole } from '../../web/auth';
import { ROLES } from '../../kernel';
import { formHandler, parseForm, type FormState } from '../../web/forms';
import { flash } from '../../web/flash';
import { pageFrom, paginate } from '../../web/pagination';
import { asemMemberOptions, listAsemMembers } from '../members';
import { AddMemberForm, AuditQuery, DesignateForm, InviteOfficialForm, RenameMemberForm, SuspendForm, UserSearchQuery } from './forms';
import type { AppContext } from '../../web/context';
import { createRateLimiter } from '../../web/rate-limit';
import { LANGUAGES } from '../../kernel';
import { INVITATIONS_PER_PAGE, type AccountAdministration } from '../accounts';
import type { AdminService } from './service';

const USERS_PER_PAGE = 25;
const AUDIT_PER_PAGE = 30;

export function adminRouter(ctx: AppContext, accounts: AccountAdministration, admin: AdminService): Router {
  const router = Router();
  router.use('/admin', requireRole('organizer'));
  // Invitations send e-mail to addresses the organizer types: the same budget as registrations.
  const invitationLimit = createRateLimiter(ctx.connection, 'invitation-send', ctx.rateLimits.registration);

  router.get('/admin', async (req, res) => {
    const figures = await accounts.dashboardFigures(actorOf(req), req.lang);
    res.render('admin/dashboard', { title: req.t('admin:dashboard.title'), figures });
  });

  /* ---------------------------------------------------------------- users */

  const memberOptions = (req: Request) => asemMemberOptions(req.lang);

  router.get('/admin/users', async (req, res) => {
    const search = UserSearchQuery.parse(req.query);
    const page = pageFrom(req.query, USERS_PER_PAGE);
    const { users, total } = await accounts.searchUsers(actorOf(req), search, page);
    res.render('admin/users', {
      title: req.t('admin:users.title'),
      users,
      search: { q: search.q ?? '', role: search.role ?? '', member: search.member ?? '', status: search.status ?? '' },
      pagination: paginate('/admin/users', req.query, page, total),
      memberOptions: await memberOptions(req),
      roleOptions: ROLES.map((r) => ({ value: r, label: req.t(`roles.${r}`) })),
      statusOptions: ['active', 'suspended', 'unverified'].map((s) => ({ value: s, label: req.t(`admin:status.${s}`) })),
    });
  });

  async function showUser(req: Request, res: Response, designation?: FormState) {
    const detail = await accounts.getUserDetail(actorOf(req), req.params.id);
    res.render('admin/user', {
      title: detail.user.name,
      ...detail,
      memberOptions: await memberOptions(req),
      designation: designation ?? {
        values: { member: detail.user.member ?? '', agency: detail.user.agency ?? '', languages: (detail.user.languages ?? []).join(', ') },
        errors: {},
      },
    });
  }

  router.get('/admin/users/:id', async (req, res) => {
    await showUser(req, res);
  });

  router.post(
    '/admin/users/:id/liaison',
    formHandler({
      body: DesignateForm,
      render: (req, res, state) => showUser(req, res, state),
      async handle(req, res, { body }) {
        await accounts.designateLiaison(actorOf(req), req.params.id, body);
        flash(req, 'success', 'admin:users.liaison.designated');
        res.redirect(303, `/admin/users/${String(req.params.id)}`);
      },
    }),
  );

  router.post('/admin/users/:id/liaison/revoke', async (req, res) => {
    await accounts.revokeLiaison(actorOf(req), req.params.id);
    flash(req, 'success', 'admin:users.liaison.revoked');
    res.redirect(303, `/admin/users/${req.params.id}`);
  });

  router.post('/admin/users/:id/suspend', async (req, res) => {
    const form = parseForm(SuspendForm, req.body);
    await accounts.suspendUser(actorOf(req), req.params.id, form.ok ? form.data.note : '');
    flash(req, 'success', 'admin:users.suspend.done');
    res.redirect(303, `/admin/users/${req.params.id}`);
  });

  router.post('/admin/users/:id/reactivate', async (req, res) => {
    await accounts.reactivateUser(actorOf(req), req.params.id);
    flash(req, 'success', 'admin:users.reactivate.done');
    res.redirect(303, `/admin/users/${req.params.id}`);
  });

  /* ---------------------------------------------------------------- officials invited by e-mail */

  async function showOfficials(req: Request, res: Response, state: FormState = { values: { language: req.lang }, errors: {} }) {
    const page = pageFrom(req.query, INVITATIONS_PER_PAGE);
    const [pending, members] = await Promise.all([accounts.pendingInvitations(actorOf(req), page), listAsemMembers(req.lang)]);
    res.render('admin/officials', {
      title: req.t('admin:officials.title'),
      pending: pending.items,
      // Older and newer pages without counting: a next page exists when one more row was found.
      pendingPages: { page: page.page, newer: page.page > 1 ? paginate('/admin/officials', req.query, page, 0).hrefFor(page.page - 1) : null, older: pending.more ? paginate('/admin/officials', req.query, page, 0).hrefFor(page.page + 1) : null },
      ...state,
      memberOptions: members.map((m) => ({ value: m.code, label: m.name[req.lang] || m.name.en })),
      memberNames: Object.fromEntries(members.map((m) => [m.code, m.name[req.lang] || m.name.en])),
      languageOptions: LANGUAGES.map((l) => ({ value: l, label: req.t(`languageNames.${l}`) })),
    });
  }

  router.get('/admin/officials', async (req, res) => {
    await showOfficials(req, res);
  });

  router.post(
    '/admin/officials',
    formHandler({
      body: InviteOfficialForm,
      render: (req, res, state) => showOfficials(req, res, state),
      async handle(req, res, { body }) {
        await invitationLimit.consume(actorOf(req).id);
        await accounts.inviteOfficial(actorOf(req), body);
        flash(req, 'success', 'admin:officials.invited', { email: body.email });
        res.redirect(303, '/admin/officials');
      },
    }),
  );

  router.post('/admin/officials/:id/resend', async (req, res) => {
    await invitationLimit.consume(actorOf(req).id);
    const { email } = await accounts.resendInvitation(actorOf(req), req.params.id);
    flash(req, 'success', 'admin:officials.resent', { email });
    res.redirect(303, '/admin/officials');
  });

  router.post('/admin/officials/:id/revoke', async (req, res) => {
    const { email } = await accounts.revokeInvitation(actorOf(req), req.params.id);
    flash(req, 'success', 'admin:officials.revoked', { email });
    res.redirect(303, '/admin/officials');
  });

  /* ---------------------------------------------------------------- ASEM members */

  async function showMembers(req: Request, res: Response, { values, errors }: FormState = { values: { region: 'Asia', kind: 'country' }, errors: {} }) {
    const members = await admin.listMembersForAdmin(actorOf(req), req.lang);
    res.render('admin/members', {
      title: req.t('admin:members.title'),
      members,
      values,
      errors,
      regionOptions: ['Asia', 'Europe'].map((r) => ({ value: r, label: req.t(`regions.${r}`) })),
      kindOptions: ['country', 'organisation'].map((k) => ({ value: k, label: req.t(`members:kind.${k}`) })),
    });
  }

  router.get('/admin/members', async (req, res) => {
    await showMembers(req, res);
  });

  router.post(
    '/admin/members',
    formHandler({
      body: AddMemberForm,
      render: (req, res, state) => showMembers(req, res, state),
      async handle(req, res, { body }) {
        await admin.addAsemMember(actorOf(req), body);
        flash(req, 'success', 'admin:members.added', { name: body.nameEn });
        res.redirect(303, '/admin/members');
      },
    }),
  );

  async function showMemberEdit(req: Request, res: Response, failed?: FormState) {
    const member = await admin.getAsemMemberForEdit(actorOf(req), req.params.code as string);
    res.render('admin/member-edit', {
      title: req.t('admin:members.editTitle', { name: member.name[req.lang] || member.name.en }),
      member,
      values: failed?.values ?? { nameEn: member.name.en, nameZh: member.name['zh-CN'] },
      errors: failed?.errors ?? {},
    });
  }

  router.get('/admin/members/:code', async (req, res) => {
    await showMemberEdit(req, res);
  });

  router.post(
    '/admin/members/:code',
    formHandler({
      body: RenameMemberForm,
      render: (req, res, state) => showMemberEdit(req, res, state),
      async handle(req, res, { body }) {
        await admin.renameAsemMember(actorOf(req), String(req.params.code), body);
        flash(req, 'success', 'admin:members.renamed');
        res.redirect(303, '/admin/members');
      },
    }),
  );

  /* ---------------------------------------------------------------- audit log */

  router.get('/admin/audit', async (req, res) => {
    const filter = AuditQuery.parse(req.query);
    const page = pageFrom(req.query, AUDIT_PER_PAGE);
    const { entries, total } = await admin.listAudit(actorOf(req), filter, page);
    res.render('admin/audit', {
      title: req.t('admin:audit.title'),
      entries,
      filter: { action: filter.action ?? '' },
      pagination: paginate('/admin/audit', req.query, page, total),
      json: (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v, null, 2)),
    });
  });

  return router;
}
