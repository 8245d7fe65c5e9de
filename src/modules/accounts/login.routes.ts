/**
 * Login and logout. The session is regenerated at login (passport 0.7 does it in req.login), and
 * failures get one generic message whatever the cause, unless the password was right.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../web/context';
import { checkCredentials, toActor } from './auth';
import { renewCsrfToken } from '../../web/csrf';
import { fields, parseForm } from '../../web/forms';
import { flash } from '../../web/flash';
import { createRateLimiter } from '../../web/rate-limit';
import type { AccountsService } from './service';

const LoginForm = z.object({
  email: fields.email(),
  password: z.string().min(1).max(1024),
});

/** Only a path on this site: never `//host` or a full URL (no open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}

function login(req: Request, user: Express.User): Promise<void> {
  return new Promise((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
}

export function loginRouter(ctx: AppContext, accounts: AccountsService): Router {
  const router = Router();
  const perAccount = createRateLimiter(ctx.connection, 'login', ctx.rateLimits.login);
  const perIp = createRateLimiter(ctx.connection, 'login-ip', ctx.rateLimits.loginPerIp);

  router.get('/login', (req, res) => {
    // With no `next`, the first page after login is the desk: what waits for this person.
    const next = req.query.next ? safeNext(req.query.next) : '/desk';
    if (req.user) return res.redirect(303, next);
    res.render('accounts/login', { title: req.t('accounts:login.title'), values: { email: '' }, errors: {}, next, formError: null });
  });

  router.post('/login', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = body.next ? safeNext(body.next) : '/desk';
    const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : '';
    await perIp.consume(req.ip ?? 'unknown');
    await perAccount.consume(`${req.ip}|${email}`);
    const form = parseForm(LoginForm, body);
    const show = (status: number, formError: string, params: Record<string, string> = {}) =>
      res.status(status).render('accounts/login', { title: req.t('accounts:login.title'), values: { email }, errors: form.ok ? {} : form.errors, next, formError: { key: formError, params } });
    if (!form.ok) return show(422, 'accounts:login.failed');
    const outcome = await checkCredentials(form.data.email, form.data.password);
    if (!outcome.ok) {
      if (outcome.reason === 'unverified') return show(403, 'accounts:login.unverified');
      if (outcome.reason === 'suspended') return show(403, 'accounts:login.suspended');
      return show(401, 'accounts:login.failed');
    }
    await login(req, toActor(outcome.user));
    renewCsrfToken(req);
    await perAccount.reset(`${req.ip}|${email}`);
    await accounts.recordLogin(String(outcome.user._id));
    flash(req, 'success', 'accounts:login.welcome', { name: outcome.user.name });
    res.redirect(303, next);
  });

  router.post('/logout', (req, res, nextFn) => {
    req.logout((err) => {
      if (err) return nextFn(err);
      req.session.destroy((destroyErr) => {
        if (destroyErr) return nextFn(destroyErr);
        res.clearCookie('asem.sid');
        res.redirect(303, '/');
      });
    });
  });

  return router;
}
