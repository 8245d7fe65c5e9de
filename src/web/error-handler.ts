/**
 * The one error handler: typed errors become their status and a page in the reader's language;
 * anything unexpected is logged with the request id and shown as a plain 500 page, never a stack trace.
 */
import type { NextFunction, Request, Response } from 'express';
import { Error as MongooseError } from 'mongoose';
import { AppError, NotFoundError, TooManyRequestsError, UnauthenticatedError, ValidationError, isDuplicateKeyError } from '../kernel';
import { isCsrfError } from './csrf';
import { sendUnavailable } from './time-limit';

interface ErrorView {
  status: number;
  titleKey: string;
  messageKey: string;
  params?: Record<string, string | number>;
}

const TITLES: Record<number, string> = {
  400: 'errors:badRequest.title',
  401: 'errors:unauthenticated.title',
  403: 'errors:forbidden.title',
  404: 'errors:notFound.title',
  409: 'errors:conflict.title',
  413: 'errors:tooLarge.title',
  415: 'errors:badRequest.title',
  422: 'errors:invalid.title',
  429: 'errors:tooManyRequests.title',
  500: 'errors:server.title',
  503: 'errors:unavailable.title',
};

/** The database cannot be reached (down, restarting, or the driver gave up waiting for it): 503, not a bug. */
const UNAVAILABLE_ERRORS = new Set(['MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoNotConnectedError', 'MongoPoolClearedError', 'MongoTopologyClosedError', 'RequestTimedOutError']);
function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // mongoose's own buffering timeout while disconnected ("Operation ... buffering timed out").
  if (err.name === 'MongooseError' && /buffering timed out/.test(err.message)) return true;
  return UNAVAILABLE_ERRORS.has(err.name) || UNAVAILABLE_ERRORS.has(err.constructor?.name ?? '');
}

function describe(err: unknown): ErrorView {
  if (err instanceof AppError) {
    const status = err.status;
    return { status, titleKey: TITLES[status] ?? 'errors:server.title', messageKey: err.messageKey, params: err.params };
  }
  if (isCsrfError(err)) return { status: 403, titleKey: 'errors:csrf.title', messageKey: 'errors:csrf.message' };
  // A malformed id or value typed into a URL is a page that does not exist; an object in a filter
  // (an operator that sanitizeFilter neutralised because it was not wrapped in trusted()) is a bug.
  if (err instanceof MongooseError.CastError && (typeof err.value !== 'object' || err.value === null)) {
    return { status: 404, titleKey: TITLES[404]!, messageKey: 'errors:notFound.message' };
  }
  if (isDatabaseUnavailable(err)) return { status: 503, titleKey: TITLES[503]!, messageKey: 'errors:unavailable.message' };
  if (err instanceof MongooseError.ValidationError) return { status: 422, titleKey: TITLES[422]!, messageKey: 'validation:formHasErrors' };
  if (isDuplicateKeyError(err)) return { status: 409, titleKey: TITLES[409]!, messageKey: 'errors:conflict.message' };
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (e.type === 'entity.too.large' || status === 413) return { status: 413, titleKey: TITLES[413]!, messageKey: 'errors:tooLarge.message' };
  if (status >= 400 && status < 500) return { status, titleKey: TITLES[status] ?? TITLES[400]!, messageKey: 'errors:badRequest.message' };
  return { status: 500, titleKey: TITLES[500]!, messageKey: 'errors:server.message' };
}

export function notFoundHandler(_req: Request, _res: Response, next: NextFunction): void {
  next(new NotFoundError());
}

export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (err instanceof UnauthenticatedError && (req.method === 'GET' || req.method === 'HEAD')) {
    res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  const view = describe(err);
  if (view.status === 503) req.log?.warn({ reason: err instanceof Error ? err.message : String(err) }, 'database unavailable');
  else if (view.status >= 500) req.log?.error({ err }, 'request failed');
  else req.log?.info({ status: view.status, reason: err instanceof Error ? err.message : String(err) }, 'request refused');
  if (res.headersSent) {
    res.end();
    return;
  }
  if (view.status === 503) return sendUnavailable(req, res);
  if (err instanceof TooManyRequestsError) res.set('Retry-After', String(err.retryAfterSeconds));
  res.status(view.status);
  const t = req.t;
  const fieldErrors = err instanceof ValidationError ? err.fieldErrors : undefined;
  if (!t || !req.accepts('html')) {
    res.json({ error: { status: view.status, message: t ? t(view.messageKey, view.params ?? {}) : view.messageKey } });
    return;
  }
  res.render('errors/error', { title: t(view.titleKey), status: view.status, titleKey: view.titleKey, messageKey: view.messageKey, params: view.params ?? {}, fieldErrors }, (renderErr, html) => {
    if (renderErr) {
      req.log?.error({ err: renderErr }, 'error page failed to render');
      res.type('text/plain').send(`${view.status}`);
      return;
    }
    res.send(html);
  });
}
