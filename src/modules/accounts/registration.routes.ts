/**
 * Registration, e-mail verification and password reset: the pages reached without an account.
 * Every answer that could tell whether an address is registered is the same either way.
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { FieldErrors } from '../../kernel';
import type { AppContext } from '../../web/context';
import { formHandler, type FormValues } from '../../web/forms';
import { flash } from '../../web/flash';
import { createRateLimiter } from '../../web/rate-limit';
import { asemMemberOptions } from '../members';
import { COMPANY_SIZES, SECTORS } from './model';
import { AcceptInvitationForm, EmailOnlyForm, RegistrationForm, ResetPasswordForm } from './forms';
import { toActor } from './auth';
import { renewCsrfToken } from '../../web/csrf';
import { findAsemMember } from '../members';
import type { AccountsService } from './service';

const field = (req: Request, name: string): string => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

export function registrationRouter(ctx: AppContext, accounts: AccountsService): Router {
  const router = Router();
  const registrationLimit = createRateLimiter(ctx.connection, 'registration', ctx.rateLimits.registration);
  const resendLimit = createRateLimiter(ctx.connection, 'verify-resend', ctx.rateLimits.registration);
  const resetLimit = createRateLimiter(ctx.connection, 'password-reset', ctx.rateLimits.passwordReset);
  const invitationLimit = createRateLimiter(ctx.connection, 'invitation-accept', ctx.rateLimits.registration);
  /** Counts a request against a limit before anything else happens (429 when spent). */
  const limited = (limiter: { consume(key: string): Promise<unknown> }) => async (req: Request, _res: Response, next: NextFunction) => {
    await limiter.consume(req.ip ?? 'unknown');
    next();
  };

  async function showRegister(req: Request, res: Response, values: FormValues, errors: FieldErrors) {
    res.render('accounts/register', {
      title: req.t('accounts:register.title'),
      values,
      errors,
      memberOptions: await asemMemberOptions(req.lang),
      sectorOptions: SECTORS.map((s) => ({ value: s, label: req.t(`accounts:sectors.${s}`) })),
      sizeOptions: COMPANY_SIZES.map((s) => ({ value: s, label: req.t(`accounts:sizes.${s}`) })),
      languageOptions: [
        { value: 'en', label: req.t('languageNames.en') },
        { value: 'zh-CN', label: req.t('languageNames.zh-CN') },
      ],
    });
  }

  /** The one answer to every well-formed registration: new address or known, the page is the same. */
  const showCheckEmail = (req: Request, res: Response, kind: 'register' | 'resend' | 'reset') =>
    res.render('accounts/check-email', { title: req.t(`accounts:checkEmail.${kind}.title`), kind });

  router.get('/register', async (req, res) => {
    if (req.user) return res.redirect(303, '/account');
    const member = typeof req.query.member === 'string' ? req.query.member.toUpperCase() : '';
    await showRegister(req, res, { language: req.lang, member }, {});
  });

  router.post(
    '/register',
    limited(registrationLimit),
    formHandler({
      body: RegistrationForm,
      render: (req, res, { values, errors }) => showRegister(req, res, values, errors),
      // Show the password and member rules too, so one round trip shows every problem.
      moreProblems: (req) => accounts.registrationProblems({ password: field(req, 'password'), email: field(req, 'email'), member: field(req, 'member').toUpperCase() }),
      async handle(req, res, { body }) {
        await accounts.register(body);
        showCheckEmail(req, res, 'register');
      },
    }),
  );

  // The link in the e-mail shows a page that asks; only its POST verifies.
  router.get('/verify-email', async (req, res) => {
    if (!(await accounts.verificationLinkValid(req.query.token))) {
      return res.status(400).render('accounts/token-invalid', { title: req.t('accounts:verify.invalidTitle'), kind: 'verify' });
    }
    res.render('accounts/confirm-link', {
      title: req.t('accounts:verify.confirmTitle'),
      lead: req.t('accounts:verify.confirmLead'),
      button: req.t('accounts:verify.confirmButton'),
      action: '/verify-email',
      token: String(req.query.token),
    });
  });

  router.post('/verify-email', async (req, res) => {
    const verified = await accounts.verifyEmail(((req.body ?? {}) as Record<string, unknown>).token);
    if (!verified) {
      return res.status(400).render('accounts/token-invalid', { title: req.t('accounts:verify.invalidTitle'), kind: 'verify' });
    }
    flash(req, 'success', 'accounts:verify.done');
    res.redirect(303, req.user ? '/account' : '/login');
  });

  router.get('/verify-email/resend', (req, res) => {
    res.render('accounts/resend', { title: req.t('accounts:resend.title'), values: { email: '' }, errors: {} });
  });

  router.post(
    '/verify-email/resend',
    limited(resendLimit),
    formHandler({
      body: EmailOnlyForm,
      render: (req, res, state) => res.render('accounts/resend', { title: req.t('accounts:resend.title'), ...state }),
      async handle(req, res, { body }) {
        await accounts.resendVerification(body.email);
        showCheckEmail(req, res, 'resend');
      },
    }),
  );

  router.get('/forgot-password', (req, res) => {
    res.render('accounts/forgot-password', { title: req.t('accounts:forgot.title'), values: { email: '' }, errors: {} });
  });

  router.post(
    '/forgot-password',
    limited(resetLimit),
    formHandler({
      body: EmailOnlyForm,
      render: (req, res, state) => res.render('accounts/forgot-password', { title: req.t('accounts:forgot.title'), ...state }),
      async handle(req, res, { body }) {
        await accounts.requestPasswordReset(body.email);
        showCheckEmail(req, res, 'reset');
      },
    }),
  );

  const showReset = (req: Request, res: Response, token: string, errors: FieldErrors) =>
    res.render('accounts/reset-password', { title: req.t('accounts:reset.title'), token, errors });
  const showResetInvalid = (req: Request, res: Response) =>
    res.status(400).render('accounts/token-invalid', { title: req.t('accounts:reset.invalidTitle'), kind: 'reset' });

  router.get('/reset-password', async (req, res) => {
    const user = await accounts.findPasswordResetUser(req.query.token);
    if (!user) return showResetInvalid(req, res);
    showReset(req, res, String(req.query.token), {});
  });

  router.post(
    '/reset-password',
    formHandler({
      body: ResetPasswordForm,
      async render(req, res, { errors }) {
        const token = field(req, 'token');
        if (!(await accounts.findPasswordResetUser(token))) return showResetInvalid(req, res);
        showReset(req, res, token, errors);
      },
      async handle(req, res, { body }) {
        const done = await accounts.resetPassword(body.token, body.password);
        if (!done) return showResetInvalid(req, res);
        // Every session of the account has ended (authVersion); this browser signs in afresh too.
        if (req.user) {
          await new Promise<void>((resolve, reject) => req.logout((e) => (e ? reject(e) : resolve())));
        }
        flash(req, 'success', 'accounts:reset.done');
        res.redirect(303, '/login');
      },
    }),
  );

  /* ---------------------------------------------------------------- an official's invitation */

  const showInvitationInvalid = (req: Request, res: Response) =>
    res.status(400).render('accounts/token-invalid', { title: req.t('accounts:invitation.invalidTitle'), kind: 'invitation' });

  async function showInvitation(req: Request, res: Response, token: string, values: FormValues, errors: FieldErrors) {
    const invitation = await accounts.invitationFor(token);
    if (!invitation) return showInvitationInvalid(req, res);
    const member = await findAsemMember(invitation.member);
    res.render('accounts/invitation', {
      title: req.t('accounts:invitation.title'),
      token,
      email: invitation.email,
      memberName: member ? member.name[req.lang] || member.name.en : invitation.member,
      values: { name: invitation.name, ...values },
      errors,
    });
  }

  // The link shows the form; nothing changes until it is posted.
  router.get('/invitation', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    await showInvitation(req, res, token, {}, {});
  });

  router.post(
    '/invitation',
    limited(invitationLimit),
    formHandler({
      body: AcceptInvitationForm,
      render: (req, res, { values, errors }) => showInvitation(req, res, field(req, 'token'), values, errors),
      async handle(req, res, { body }) {
        const user = await accounts.acceptInvitation(body.token, { name: body.name, password: body.password });
        if (!user) return showInvitationInvalid(req, res);
        // Signed in at once: the link proved the address and the password was just chosen.
        await new Promise<void>((resolve, reject) => req.login(toActor(user), (err) => (err ? reject(err) : resolve())));
        renewCsrfToken(req);
        await accounts.recordLogin(String(user._id));
        flash(req, 'success', 'accounts:invitation.welcome', { name: user.name });
        res.redirect(303, '/liaison/requests');
      },
    }),
  );

  return router;
}
