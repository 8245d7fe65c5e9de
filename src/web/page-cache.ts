/**
 * A short-lived cache of the pages anonymous readers get (PAGE_CACHE_MS, 1 s in production). A page
 * a reader without a session sees depends only on its address, the reader's language and the data;
 * when many read the same page at once, it is rendered once per interval and the copies in between
 * come from memory. That is the freshness the portal's other caches already give across instances
 * (version stamps read at most once a second: src/web/cache-versions.ts).
 *
 * What is never cached: a request carrying the session cookie (a signed-in reader, or one with a
 * flash message or a form token), anything but GET, answers other than 200 HTML, and an answer that
 * sets a cookie (a page that rendered a form starts a session for its CSRF token: it is personal).
 * While one request renders an expired page again, the others get the expired copy (one render per
 * page at a time, no stampede). The cache holds at most MAX_ENTRIES pages and MAX_BYTES, dropping
 * the least recently used.
 */
import type { NextFunction, Request, Response } from 'express';
import { languageOf } from './i18n';

const MAX_ENTRIES = 500;
const MAX_BYTES = 32 * 1024 * 1024;
/**
 * Headers of the answer that belong to the page (the rest are per request or set again). The ETag
 * is kept too, so a large page (the fair's plan) is neither hashed nor encoded again per request.
 */
const KEPT_HEADERS = ['content-type', 'content-language', 'cache-control', 'vary', 'link', 'x-robots-tag', 'etag'];

interface Entry {
  body: Buffer;
  headers: [string, string | number | string[]][];
  storedAt: number;
  bytes: number;
  /** A request is rendering this page again. */
  refreshing: boolean;
}

export interface PageCache {
  (req: Request, res: Response, next: NextFunction): void;
  /** Pages held (for tests and figures). */
  readonly size: number;
  clear(): void;
}

export function pageCache(opts: { ttlMs: number; sessionCookie: string; now?: () => number }): PageCache {
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let bytes = 0;
  const drop = (key: string) => {
    const e = entries.get(key);
    if (!e) return;
    bytes -= e.bytes;
    entries.delete(key);
  };
  const store = (key: string, entry: Entry) => {
    drop(key);
    entries.set(key, entry);
    bytes += entry.bytes;
    for (const oldest of entries.keys()) {
      if (entries.size <= MAX_ENTRIES && bytes <= MAX_BYTES) break;
      drop(oldest);
    }
  };

  const middleware = ((req: Request, res: Response, next: NextFunction): void => {
    if (opts.ttlMs <= 0 || req.method !== 'GET' || hasCookie(req, opts.sessionCookie)) return next();
    const key = `${languageOf(req)} ${req.originalUrl}`;
    const hit = entries.get(key);
    if (hit) {
      const fresh = now() - hit.storedAt < opts.ttlMs;
      if (fresh || hit.refreshing) {
        // Most recently used last.
        entries.delete(key);
        entries.set(key, hit);
        for (const [name, value] of hit.headers) res.setHeader(name, value);
        res.status(200).send(hit.body);
        return;
      }
      hit.refreshing = true;
    }
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      res.send = send;
      // res.send gives a string without a type text/html (rendered views).
      const type = String(res.getHeader('content-type') ?? 'text/html');
      if (res.statusCode === 200 && typeof body === 'string' && type.startsWith('text/html')) {
        res.once('finish', () => {
          // A cookie set on the way out (a session for a form's token) makes the page personal.
          if (res.getHeader('set-cookie') !== undefined || res.statusCode !== 200) {
            if (hit) hit.refreshing = false;
            return;
          }
          const headers = KEPT_HEADERS.flatMap((name): [string, string | number | string[]][] => {
            const v = res.getHeader(name);
            return v === undefined ? [] : [[name, v]];
          });
          const copy = Buffer.from(body);
          store(key, { body: copy, headers, storedAt: now(), bytes: copy.length, refreshing: false });
        });
      } else if (hit) {
        drop(key);
      }
      return send(body);
    };
    res.once('close', () => {
      if (hit && hit.refreshing && !res.writableFinished) hit.refreshing = false;
    });
    next();
  }) as PageCache;
  Object.defineProperty(middleware, 'size', { get: () => entries.size });
  middleware.clear = () => {
    entries.clear();
    bytes = 0;
  };
  return middleware;
}

function hasCookie(req: Request, name: string): boolean {
  const header = req.headers.cookie;
  if (!header) return false;
  return header.split(';').some((part) => part.trimStart().startsWith(`${name}=`));
}
