/**
 * CSRF protection for every state-changing request: a synchroniser token kept in the session and
 * sent back in the hidden `_csrf` field (partials/csrf.ejs). Multipart forms are not parsed before
 * this check runs, so they carry the same token in the action URL's `_csrf` query parameter as well
 * (partials/csrf-action.ejs builds it); the check therefore never depends on a route remembering it.
 */
import { csrfSync } from 'csrf-sync';
import type { NextFunction, Request, Response } from 'express';

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req) => {
    const body = req.body as Record<string, unknown> | undefined;
    const fromBody = typeof body?._csrf === 'string' ? body._csrf : undefined;
    const fromQuery = typeof req.query._csrf === 'string' ? req.query._csrf : undefined;
    const fromHeader = req.get('x-csrf-token');
    return fromBody ?? fromHeader ?? fromQuery;
  },
});

export const CSRF_ERROR_CODE = 'EBADCSRFTOKEN';

export function isCsrfError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === CSRF_ERROR_CODE;
}

/** Views call csrfToken() only where they render a form, so plain page views create no session. */
export function csrfLocals(req: Request, res: Response, next: NextFunction): void {
  res.locals.csrfToken = () => generateToken(req);
  next();
}

export const csrfProtection = csrfSynchronisedProtection;

/** After login the session is regenerated: issue a fresh token for it. */
export function renewCsrfToken(req: Request): string {
  return generateToken(req, true);
}
