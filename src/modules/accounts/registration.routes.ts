/**
 * Registration, e-mail verification and password reset: the pages reached without an account.
 * Every answer that could tell whether an address is registered is the same either way.
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../web/context';
import { ValidationError, type FieldErrors } from '../../web/errors';
import { parseForm } from '../../web/forms';
import { flash } from '../../web/flash';
import { createRateLimiter } from '../../web/rate-limit';
import { asemMemberOptions } from '../members';
import { COMPANY_SIZES, SECTORS } from './model';
import { EmailOnlyForm, RegistrationForm, ResetPasswordForm } from './forms';
import { findPasswordResetUser, registerAccount, registrationProblems, requestPasswordReset, resendVerification, resetPassword, verificationLinkValid, verifyEmail } from './service';

const body = (req: Request): Record<string, unknown> => (req.body ?? {}) as Record<string, unknown>;

/** The values shown back in a form: strings only, never the password. */
function keptValues(input: Record<string, unknown>, omit: string[] = ['password', '_csrf']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) if (!omit.includes(k) && typeof v === 'string') out[k] = v;
  return out;
}

export function registrationRouter(ctx: AppContext): Router {
  const router = Router();
  const registrationLimit = createRateLimiter(ctx.connection, 'registration', ctx.rateLimits.registration);
  const resendLimit = createRateLimiter(ctx.connection, 'verify-resend', ctx.rateLimits.registration);
  const resetLimit = createRateLimiter(ctx.connection, 'password-reset', ctx.rateLimits.passwordReset);
  const mailDeps = () => ({ mailer: ctx.mailer, baseUrl: ctx.config.baseUrl, now: ctx.now() });

  async function showRegister(req: Request, res: Response, status: number, values: Record<string, string>, errors: FieldErrors) {
    res.status(status).render('accounts/register', {
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
    await showRegister(req, res, 200, { language: req.lang, member }, {});
  });

  router.post('/register', async (req, res) => {
    await registrationLimit.consume(req.ip ?? 'unknown');
    const input = body(req);
    const values = keptValues(input);
    const form = parseForm(RegistrationForm, input);
    if (!form.ok) {
      // Show the password and member rules too, so one round trip shows every problem.
      const extra = await registrationProblems({
        password: typeof input.password === 'string' ? input.password : '',
        email: typeof input.email === 'string' ? input.email : '',
        member: typeof input.member === 'string' ? input.member.toUpperCase() : '',
      });
      return showRegister(req, res, 422, values, { ...extra, ...form.errors });
    }
    try {
      await registerAccount(form.data, mailDeps());
    } catch (err) {
      if (err instanceof ValidationError) return showRegister(req, res, 422, values, err.fieldErrors);
      throw err;
    }
    showCheckEmail(req, res, 'register');
  });

  // The link in the e-mail shows a page that asks; only its POST verifies.
  router.get('/verify-email', async (req, res) => {
    if (!(await verificationLinkValid(req.query.token, ctx.now()))) {
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
    const verified = await verifyEmail(body(req).token, ctx.now());
    if (!verified) {
      return res.status(400).render('accounts/token-invalid', { title: req.t('accounts:verify.invalidTitle'), kind: 'verify' });
    }
    flash(req, 'success', 'accounts:verify.done');
    res.redirect(303, req.user ? '/account' : '/login');
  });

  router.get('/verify-email/resend', (req, res) => {
    res.render('accounts/resend', { title: req.t('accounts:resend.title'), values: { email: '' }, errors: {} });
  });

  router.post('/verify-email/resend', async (req, res) => {
    await resendLimit.consume(req.ip ?? 'unknown');
    const form = parseForm(EmailOnlyForm, body(req));
    if (!form.ok) return res.status(422).render('accounts/resend', { title: req.t('accounts:resend.title'), values: keptValues(body(req)), errors: form.errors });
    await resendVerification(form.data.email, mailDeps());
    showCheckEmail(req, res, 'resend');
  });

  router.get('/forgot-password', (req, res) => {
    res.render('accounts/forgot-password', { title: req.t('accounts:forgot.title'), values: { email: '' }, errors: {} });
  });

  router.post('/forgot-password', async (req, res) => {
    await resetLimit.consume(req.ip ?? 'unknown');
    const form = parseForm(EmailOnlyForm, body(req));
    if (!form.ok) return res.status(422).render('accounts/forgot-password', { title: req.t('accounts:forgot.title'), values: keptValues(body(req)), errors: form.errors });
    await requestPasswordReset(form.data.email, mailDeps());
    showCheckEmail(req, res, 'reset');
  });

  const showReset = (req: Request, res: Response, status: number, token: string, errors: FieldErrors) =>
    res.status(status).render('accounts/reset-password', { title: req.t('accounts:reset.title'), token, errors });
  const showResetInvalid = (req: Request, res: Response) =>
    res.status(400).render('accounts/token-invalid', { title: req.t('accounts:reset.invalidTitle'), kind: 'reset' });

  router.get('/reset-password', async (req, res) => {
    const user = await findPasswordResetUser(req.query.token, ctx.now());
    if (!user) return showResetInvalid(req, res);
    showReset(req, res, 200, String(req.query.token), {});
  });

  router.post('/reset-password', async (req, res) => {
    const input = body(req);
    const token = typeof input.token === 'string' ? input.token : '';
    const form = parseForm(ResetPasswordForm, input);
    if (!form.ok) {
      if (!(await findPasswordResetUser(token, ctx.now()))) return showResetInvalid(req, res);
      return showReset(req, res, 422, token, form.errors);
    }
    let done: { email: string } | null;
    try {
      done = await resetPassword(form.data.token, form.data.password, ctx.now());
    } catch (err) {
      if (err instanceof ValidationError) return showReset(req, res, 422, token, err.fieldErrors);
      throw err;
    }
    if (!done) return showResetInvalid(req, res);
    // Every session of the account has ended (authVersion); this browser signs in afresh too.
    if (req.user) {
      await new Promise<void>((resolve, reject) => req.logout((e) => (e ? reject(e) : resolve())));
    }
    flash(req, 'success', 'accounts:reset.done');
    res.redirect(303, '/login');
  });

  return router;
}
