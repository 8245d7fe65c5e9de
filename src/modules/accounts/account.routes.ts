/**
 * The account page: one page with four forms (profile, company, password, e-mail), all posting to
 * /account with a `section` field. Following the e-mail change link needs no session.
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../web/context';
import { actorOf, requireUser, toActor } from '../../web/auth';
import { renewCsrfToken } from '../../web/csrf';
import { BadRequestError, ValidationError, type FieldErrors } from '../../web/errors';
import { parseForm } from '../../web/forms';
import { flash } from '../../web/flash';
import { findAsemMember } from '../members';
import { COMPANY_SIZES, SECTORS, User, type UserDoc } from './model';
import { ChangeEmailForm, ChangePasswordForm, CompanyForm, ProfileForm } from './forms';
import { changePassword, confirmEmailChange, emailChangeLinkValid, getAccount, requestEmailChange, updateCompany, updateProfile } from './service';

type Section = 'profile' | 'company' | 'password' | 'email';
const SECTIONS: Section[] = ['profile', 'company', 'password', 'email'];
const SECRET_FIELDS = ['currentPassword', 'newPassword', 'emailPassword', 'password', '_csrf'];

function keptValues(input: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) if (!SECRET_FIELDS.includes(k) && typeof v === 'string') out[k] = v;
  return out;
}

function relogin(req: Request, user: Express.User): Promise<void> {
  return new Promise((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
}

export function accountRouter(ctx: AppContext): Router {
  const router = Router();

  async function showAccount(req: Request, res: Response, status: number, failed?: { section: Section; values: Record<string, string>; errors: FieldErrors }) {
    const actor = actorOf(req);
    const { user, company } = await getAccount(actor);
    const member = user.member ? await findAsemMember(user.member) : null;
    const stored = {
      profile: { name: user.name, language: user.language ?? 'en', agency: user.agency ?? '', languages: (user.languages ?? []).join(', ') },
      company: company
        ? { companyName: company.name, sector: company.sector, size: company.size, website: company.website ?? '', description: company.description ?? '', products: company.products ?? '' }
        : {},
      password: {},
      email: { newEmail: '' },
    } as Record<Section, Record<string, string>>;
    const values = { ...stored };
    const errors: Record<Section, FieldErrors> = { profile: {}, company: {}, password: {}, email: {} };
    if (failed) {
      values[failed.section] = failed.values;
      errors[failed.section] = failed.errors;
    }
    res.status(status).render('accounts/account', {
      title: req.t('accounts:account.title'),
      user,
      company,
      member,
      values,
      errors,
      sectorOptions: SECTORS.map((s) => ({ value: s, label: req.t(`accounts:sectors.${s}`) })),
      sizeOptions: COMPANY_SIZES.map((s) => ({ value: s, label: req.t(`accounts:sizes.${s}`) })),
      languageOptions: [
        { value: 'en', label: req.t('languageNames.en') },
        { value: 'zh-CN', label: req.t('languageNames.zh-CN') },
      ],
    });
  }

  router.get('/account', requireUser, async (req, res) => {
    await showAccount(req, res, 200);
  });

  router.post('/account', requireUser, async (req, res) => {
    const actor = actorOf(req);
    const input = (req.body ?? {}) as Record<string, unknown>;
    const section = input.section as Section;
    if (!SECTIONS.includes(section)) throw new BadRequestError();
    const values = keptValues(input);
    const fail = (errors: FieldErrors) => showAccount(req, res, 422, { section, values, errors });
    try {
      if (section === 'profile') {
        const form = parseForm(ProfileForm, input);
        if (!form.ok) return fail(form.errors);
        await updateProfile(actor, form.data);
        // The interface follows the new preference from the next page on.
        if (req.cookies?.lang !== form.data.language) res.clearCookie('lang');
        flash(req, 'success', 'accounts:account.profile.saved');
      } else if (section === 'company') {
        const form = parseForm(CompanyForm, input);
        if (!form.ok) return fail(form.errors);
        await updateCompany(actor, form.data);
        flash(req, 'success', 'accounts:account.company.saved');
      } else if (section === 'password') {
        const form = parseForm(ChangePasswordForm, input);
        if (!form.ok) return fail(form.errors);
        await changePassword(actor, form.data);
        // authVersion moved on: every other session has ended; this one starts afresh with the new version.
        const user = await User.findById(actor.id).lean<UserDoc>();
        if (user) {
          await relogin(req, toActor(user));
          renewCsrfToken(req);
        }
        flash(req, 'success', 'accounts:account.password.saved');
      } else {
        const form = parseForm(ChangeEmailForm, input);
        if (!form.ok) return fail(form.errors);
        await requestEmailChange(actor, form.data, { mailer: ctx.mailer, baseUrl: ctx.config.baseUrl, now: ctx.now() });
        flash(req, 'info', 'accounts:account.email.sent', { email: form.data.newEmail });
      }
    } catch (err) {
      if (err instanceof ValidationError) return fail(err.fieldErrors);
      throw err;
    }
    res.redirect(303, '/account');
  });

  // The link in the e-mail shows a page that asks; only its POST changes the address.
  router.get('/account/confirm-email', async (req, res) => {
    if (!(await emailChangeLinkValid(req.query.token, ctx.now()))) {
      return res.status(400).render('accounts/token-invalid', { title: req.t('accounts:account.email.invalidTitle'), kind: 'emailChange' });
    }
    res.render('accounts/confirm-link', {
      title: req.t('accounts:account.email.confirmTitle'),
      lead: req.t('accounts:account.email.confirmLead'),
      button: req.t('accounts:account.email.confirmButton'),
      action: '/account/confirm-email',
      token: String(req.query.token),
    });
  });

  router.post('/account/confirm-email', async (req, res) => {
    const done = await confirmEmailChange(((req.body ?? {}) as Record<string, unknown>).token, { mailer: ctx.mailer, baseUrl: ctx.config.baseUrl, now: ctx.now() });
    if (!done) return res.status(400).render('accounts/token-invalid', { title: req.t('accounts:account.email.invalidTitle'), kind: 'emailChange' });
    flash(req, 'success', 'accounts:account.email.changed', { email: done.email });
    res.redirect(303, req.user ? '/account' : '/login');
  });

  return router;
}
