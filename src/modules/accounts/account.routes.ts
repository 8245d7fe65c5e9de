/**
 * The account page: one page with four forms (profile, company, password, e-mail), all posting to
 * /account with a `section` field. Following the e-mail change link needs no session.
 */
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { BadRequestError, type FieldErrors } from '../../kernel';
import { actorOf, requireUser } from '../../web/auth';
import { renewCsrfToken } from '../../web/csrf';
import { flash } from '../../web/flash';
import { formHandler, type FormState, type FormValues } from '../../web/forms';
import { findAsemMember } from '../members';
import { toActor } from './auth';
import { ChangeEmailForm, ChangePasswordForm, CompanyForm, ProfileForm } from './forms';
import { COMPANY_SIZES, SECTORS, User, type UserDoc } from './model';
import type { AccountsService } from './service';

type Section = 'profile' | 'company' | 'password' | 'email';
const SECTIONS: readonly string[] = ['profile', 'company', 'password', 'email'];

function relogin(req: Request, user: Express.User): Promise<void> {
  return new Promise((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
}

export function accountRouter(accounts: AccountsService): Router {
  const router = Router();

  async function showAccount(req: Request, res: Response, failed?: { section: Section } & FormState) {
    const actor = actorOf(req);
    const { user, company } = await accounts.getAccount(actor);
    const member = user.member ? await findAsemMember(user.member) : null;
    const stored = {
      profile: { name: user.name, language: user.language ?? 'en', agency: user.agency ?? '', languages: (user.languages ?? []).join(', ') },
      company: company
        ? { companyName: company.name, sector: company.sector, size: company.size, website: company.website ?? '', description: company.description ?? '', products: company.products ?? '' }
        : {},
      password: {},
      email: { newEmail: '' },
    } as Record<Section, FormValues>;
    const values = { ...stored };
    const errors: Record<Section, FieldErrors> = { profile: {}, company: {}, password: {}, email: {} };
    if (failed) {
      values[failed.section] = failed.values;
      errors[failed.section] = failed.errors;
    }
    res.render('accounts/account', {
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
    await showAccount(req, res);
  });

  /** One form per section, all posting to /account; each shows the page again with its own errors. */
  const again = (section: Section) => (req: Request, res: Response, state: FormState) => showAccount(req, res, { section, ...state });
  const sectionForms: Record<Section, RequestHandler> = {
    profile: formHandler({
      body: ProfileForm,
      render: again('profile'),
      async handle(req, res, { body }) {
        await accounts.updateProfile(actorOf(req), body);
        // The interface follows the new preference from the next page on.
        if (req.cookies?.lang !== body.language) res.clearCookie('lang');
        flash(req, 'success', 'accounts:account.profile.saved');
        res.redirect(303, '/account');
      },
    }),
    company: formHandler({
      body: CompanyForm,
      render: again('company'),
      async handle(req, res, { body }) {
        await accounts.updateCompany(actorOf(req), body);
        flash(req, 'success', 'accounts:account.company.saved');
        res.redirect(303, '/account');
      },
    }),
    password: formHandler({
      body: ChangePasswordForm,
      render: again('password'),
      async handle(req, res, { body }) {
        const actor = actorOf(req);
        await accounts.changePassword(actor, body);
        // authVersion moved on: every other session has ended; this one starts afresh with the new version.
        const user = await User.findById(actor.id).lean<UserDoc>();
        if (user) {
          await relogin(req, toActor(user));
          renewCsrfToken(req);
        }
        flash(req, 'success', 'accounts:account.password.saved');
        res.redirect(303, '/account');
      },
    }),
    email: formHandler({
      body: ChangeEmailForm,
      render: again('email'),
      async handle(req, res, { body }) {
        await accounts.requestEmailChange(actorOf(req), body);
        flash(req, 'info', 'accounts:account.email.sent', { email: body.newEmail });
        res.redirect(303, '/account');
      },
    }),
  };

  router.post('/account', requireUser, (req: Request, res: Response, next: NextFunction) => {
    const section = (req.body as Record<string, unknown> | undefined)?.section;
    if (typeof section !== 'string' || !SECTIONS.includes(section)) throw new BadRequestError();
    return sectionForms[section as Section](req, res, next);
  });

  // The link in the e-mail shows a page that asks; only its POST changes the address.
  router.get('/account/confirm-email', async (req, res) => {
    if (!(await accounts.emailChangeLinkValid(req.query.token))) {
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
    const done = await accounts.confirmEmailChange(((req.body ?? {}) as Record<string, unknown>).token);
    if (!done) return res.status(400).render('accounts/token-invalid', { title: req.t('accounts:account.email.invalidTitle'), kind: 'emailChange' });
    flash(req, 'success', 'accounts:account.email.changed', { email: done.email });
    res.redirect(303, req.user ? '/account' : '/login');
  });

  return router;
}
