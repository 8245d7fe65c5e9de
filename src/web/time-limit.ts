/**
 * A time limit on every request, so a stalled database (or anything else that hangs) cannot hang
 * the portal with it.
 *
 * After `REQUEST_TIMEOUT_MS` (uploads: see limitFor) a request still without an answer gets a 503 page in the reader's
 * language (a page of its own, with no layout: it must render when the session, the user and the
 * header's data could not be loaded). The handler may still be running — typically waiting for the
 * database. From that moment:
 *
 * - every further mongoose operation of that request (query, save, insertMany, bulkWrite,
 *   aggregate) is refused with RequestTimedOutError, so the handler stops at its next database step
 *   instead of carrying on with work the reader was told did not happen. Services order their
 *   writes so that stopping between two of them leaves nothing inconsistent (the same property
 *   that makes a crash safe); one write already sent to the database when it stalled is
 *   single-document and atomic: it lands whole or not at all;
 * - whatever the handler later answers (render, redirect, an error page) is dropped: the reader
 *   already has the 503. `timeLimitEvents` emits 'late' when such a handler finishes, so tests can
 *   wait for it instead of sleeping.
 *
 * The request's identity travels with its async work in an AsyncLocalStorage; background work
 * started from a request (the mail sender) runs `outsideRequest` so it is never cut off with it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ServerResponse } from 'node:http';
import { EventEmitter } from 'node:events';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import mongoose from 'mongoose';
import { escapeHtml } from './html';
import { DEFAULT_LANGUAGE, LANG_COOKIE, isLanguage, languageFromHeader, translator, type Language } from './i18n';

interface RequestState {
  timedOut: boolean;
}

const requestScope = new AsyncLocalStorage<RequestState>();

export class RequestTimedOutError extends Error {
  constructor() {
    super('the request ran out of time; its remaining database work is refused');
    this.name = 'RequestTimedOutError';
  }
}

/** Emits 'late' ({ method, url }) when a handler finishes after its request was answered 503. */
export const timeLimitEvents = new EventEmitter();

/** Runs fn (and everything it starts) outside any request, so no request's time limit applies. */
export function outsideRequest<T>(fn: () => T): T {
  return requestScope.exit(fn);
}

let guarded = false;

/**
 * Makes every mongoose operation check the time limit of the request it runs for. Wrapping the
 * prototypes (rather than a schema plugin) covers models compiled before this runs.
 */
export function guardDatabaseWork(): void {
  if (guarded) return;
  guarded = true;
  const wrapAsync = <T extends object>(target: T, name: string) => {
    const original = (target as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
    (target as Record<string, unknown>)[name] = function guardedCall(this: unknown, ...args: unknown[]) {
      if (requestScope.getStore()?.timedOut) return Promise.reject(new RequestTimedOutError());
      return original.apply(this, args);
    };
  };
  wrapAsync(mongoose.Query.prototype, 'exec');
  wrapAsync(mongoose.Aggregate.prototype, 'exec');
  wrapAsync(mongoose.Model.prototype, 'save');
  wrapAsync(mongoose.Model.prototype, '$save'); // Model.create saves through this alias
  wrapAsync(mongoose.Model, 'insertMany');
  wrapAsync(mongoose.Model, 'bulkWrite');
}

/** The reader's language without the session or the language middleware (they may be what hangs). */
function languageOf(req: Request): Language {
  if (isLanguage(req.lang)) return req.lang;
  const fromQuery = req.query?.lang;
  if (isLanguage(fromQuery)) return fromQuery;
  const cookie = /(?:^|;\s*)lang=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
  const fromCookie = cookie ? decodeURIComponent(cookie) : undefined;
  if (isLanguage(fromCookie)) return fromCookie;
  return languageFromHeader(req.get('accept-language')) ?? DEFAULT_LANGUAGE;
}

function unavailablePage(lang: Language, messageKey: string): string {
  const t = translator(lang);
  const title = escapeHtml(t('errors:unavailable.title'));
  return `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · ${escapeHtml(t('common:siteName'))}</title><link rel="stylesheet" href="/public/css/site.css"></head>
<body><main id="main" class="container narrow"><h1>${title}</h1><p>${escapeHtml(t(messageKey))}</p><p><a href="/">${escapeHtml(t('errors:backHome'))}</a></p></main></body>
</html>`;
}

/** Stops whatever the handler still does with the response; reports its end once. */
function dropLateResponse(req: Request, res: Response): void {
  let reported = false;
  const swallow = function (this: Response) {
    if (!reported) {
      reported = true;
      timeLimitEvents.emit('late', { method: req.method, url: req.originalUrl });
    }
    return this;
  };
  for (const name of ['render', 'send', 'json', 'redirect', 'end', 'sendStatus', 'sendFile', 'download'] as const) {
    (res as unknown as Record<string, unknown>)[name] = swallow;
  }
}

/**
 * The 503 page, standalone (no layout, no session, no database): used when the time limit is up
 * and by the error handler when the database cannot be reached.
 */
export function sendUnavailable(req: Request, res: Response, messageKey = 'errors:unavailable.message'): void {
  res.status(503);
  // no-transform: the compression middleware must not announce an encoding for a body written
  // past it (below).
  res.set({ 'Content-Type': 'text/html; charset=utf-8', 'Retry-After': '10', 'Cache-Control': 'no-store, no-transform' });
  // The plain end, not the session middleware's wrapper, which would first save the session to
  // the database that may be what hangs.
  (ServerResponse.prototype.end as (this: ServerResponse, chunk: string) => ServerResponse).call(res, unavailablePage(languageOf(req), messageKey));
}

/**
 * A file upload (multipart) is read while the request runs: 10 MB from a slow connection takes
 * longer than a page, so it gets six times the limit, at least a minute.
 */
export function limitFor(req: Request, ms: number): number {
  return req.is('multipart/form-data') ? Math.max(ms * 6, 60_000) : ms;
}

export function requestTimeLimit(opts: { ms: number }): RequestHandler {
  guardDatabaseWork();
  return (req: Request, res: Response, next: NextFunction) => {
    const state: RequestState = { timedOut: false };
    const ms = limitFor(req, opts.ms);
    const timer = setTimeout(() => {
      // A response already under way (a download streaming) is left to finish.
      if (res.headersSent) return;
      state.timedOut = true;
      req.log?.warn({ timeoutMs: ms }, 'request ran out of time; answered 503');
      sendUnavailable(req, res, 'errors:timeout.message');
      dropLateResponse(req, res);
    }, ms);
    timer.unref();
    res.once('finish', () => clearTimeout(timer));
    res.once('close', () => clearTimeout(timer));
    requestScope.run(state, () => next());
  };
}
