/**
 * Organizer pages under /admin. The route guard keeps others out early; the services check again.
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../web/context';
import { actorOf, requireRole } from '../../web/auth';
import { ROLES, ValidationError, type FieldErrors } from '../../kernel';
import { parseForm } from '../../web/forms';
import { flash } from '../../web/flash';
import { pageFrom, paginate } from '../../web/pagination';
import { asemMemberOptions } from '../members';
import { AddMemberForm, AuditQuery, DesignateForm, RenameMemberForm, SuspendForm, UserSearchQuery } from './forms';
import { dashboardFigures, designateLiaison, getUserDetail, reactivateUser, revokeLiaison, searchUsers, suspendUser } from '../accounts';
import { addAsemMember, getAsemMemberForEdit, listAudit, listMembersForAdmin, renameAsemMember } from './service';

const USERS_PER_PAGE = 25;
const AUDIT_PER_PAGE = 30;

function stringValues(input: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((input ?? {}) as Record<string, unknown>)) if (k !== '_csrf' && typeof v === 'string') out[k] = v;
  return out;
}

export function adminRouter(ctx: AppContext): Router {
  const router = Router();
  const deps = () => ({ mailer: ctx.mailer, baseUrl: ctx.config.baseUrl, now: ctx.now() });
  router.use('/admin', requireRole('organizer'));

  router.get('/admin', async (req, res) => {
    const figures = await dashboardFigures(actorOf(req), req.lang);
    res.render('admin/dashboard', { title: req.t('admin:dashboard.title'), figures });
  });

  /* ---------------------------------------------------------------- users */

  const memberOptions = (req: Request) => asemMemberOptions(req.lang);

  router.get('/admin/users', async (req, res) => {
    const search = UserSearchQuery.parse(req.query);
    const page = pageFrom(req.query, USERS_PER_PAGE);
    const { users, total } = await searchUsers(actorOf(req), search, page);
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

  async function showUser(req: Request, res: Response, status = 200, designation?: { values: Record<string, string>; errors: FieldErrors }) {
    const detail = await getUserDetail(actorOf(req), req.params.id);
    res.status(status).render('admin/user', {
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

  router.post('/admin/users/:id/liaison', async (req, res) => {
    const values = stringValues(req.body);
    const form = parseForm(DesignateForm, req.body);
    if (!form.ok) return showUser(req, res, 422, { values, errors: form.errors });
    try {
      await designateLiaison(actorOf(req), req.params.id, form.data, deps());
    } catch (err) {
      if (err instanceof ValidationError) return showUser(req, res, 422, { values, errors: err.fieldErrors });
      throw err;
    }
    flash(req, 'success', 'admin:users.liaison.designated');
    res.redirect(303, `/admin/users/${req.params.id}`);
  });

  router.post('/admin/users/:id/liaison/revoke', async (req, res) => {
    await revokeLiaison(actorOf(req), req.params.id, deps());
    flash(req, 'success', 'admin:users.liaison.revoked');
    res.redirect(303, `/admin/users/${req.params.id}`);
  });

  router.post('/admin/users/:id/suspend', async (req, res) => {
    const form = parseForm(SuspendForm, req.body);
    await suspendUser(actorOf(req), req.params.id, form.ok ? form.data.note : '', deps());
    flash(req, 'success', 'admin:users.suspend.done');
    res.redirect(303, `/admin/users/${req.params.id}`);
  });

  router.post('/admin/users/:id/reactivate', async (req, res) => {
    await reactivateUser(actorOf(req), req.params.id, deps());
    flash(req, 'success', 'admin:users.reactivate.done');
    res.redirect(303, `/admin/users/${req.params.id}`);
  });

  /* ---------------------------------------------------------------- ASEM members */

  async function showMembers(req: Request, res: Response, status = 200, values: Record<string, string> = { region: 'Asia', kind: 'country' }, errors: FieldErrors = {}) {
    const members = await listMembersForAdmin(actorOf(req), req.lang);
    res.status(status).render('admin/members', {
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

  router.post('/admin/members', async (req, res) => {
    const values = stringValues(req.body);
    const form = parseForm(AddMemberForm, req.body);
    if (!form.ok) return showMembers(req, res, 422, values, form.errors);
    try {
      await addAsemMember(actorOf(req), form.data, ctx.now());
    } catch (err) {
      if (err instanceof ValidationError) return showMembers(req, res, 422, values, err.fieldErrors);
      throw err;
    }
    flash(req, 'success', 'admin:members.added', { name: form.data.nameEn });
    res.redirect(303, '/admin/members');
  });

  async function showMemberEdit(req: Request, res: Response, status = 200, failed?: { values: Record<string, string>; errors: FieldErrors }) {
    const member = await getAsemMemberForEdit(actorOf(req), req.params.code as string);
    res.status(status).render('admin/member-edit', {
      title: req.t('admin:members.editTitle', { name: member.name[req.lang] || member.name.en }),
      member,
      values: failed?.values ?? { nameEn: member.name.en, nameZh: member.name['zh-CN'] },
      errors: failed?.errors ?? {},
    });
  }

  router.get('/admin/members/:code', async (req, res) => {
    await showMemberEdit(req, res);
  });

  router.post('/admin/members/:code', async (req, res) => {
    const form = parseForm(RenameMemberForm, req.body);
    if (!form.ok) return showMemberEdit(req, res, 422, { values: stringValues(req.body), errors: form.errors });
    await renameAsemMember(actorOf(req), req.params.code, form.data, ctx.now());
    flash(req, 'success', 'admin:members.renamed');
    res.redirect(303, '/admin/members');
  });

  /* ---------------------------------------------------------------- audit log */

  router.get('/admin/audit', async (req, res) => {
    const filter = AuditQuery.parse(req.query);
    const page = pageFrom(req.query, AUDIT_PER_PAGE);
    const { entries, total } = await listAudit(actorOf(req), filter, page);
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
