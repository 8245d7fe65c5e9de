/**
 * The portal's logs: a readable console (pino-pretty) in development when the output is a terminal;
 * JSON lines otherwise (production, a log collector, a pipe); nothing under tests unless LOG_LEVEL
 * asks for it.
 *
 * No secret is ever written: the request logger redacts the `cookie`, `authorization` and
 * `x-csrf-token` request headers and the `set-cookie` response header, and replaces the value of
 * every token-like query parameter (`_csrf`, `token`, `…token`, `password`, `secret`, `signature`)
 * in logged URLs, in the parsed query and in the `referer` header (a page re-rendered after a
 * multipart post has `?_csrf=` in its own address, which the next request sends as its referer).
 */
import pino, { type Logger } from 'pino';
import type { IncomingMessage } from 'node:http';

export const REDACTED = '[redacted]';

const SECRET_PARAM = /^(?:_csrf|token|.*[-_]?token|password|secret|signature|sig)$/i;

/** The URL (absolute or path with query) with the value of every secret query parameter replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // a malformed escape: judge the raw name
      }
      return SECRET_PARAM.test(name) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, q + 1)}${redacted}${hash < 0 ? '' : url.slice(hash)}`;
}

interface SerializedRequest {
  url?: string;
  query?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  [key: string]: unknown;
}

function requestSerializer(req: SerializedRequest): SerializedRequest {
  if (typeof req.url === 'string') req.url = redactUrl(req.url);
  if (req.query && typeof req.query === 'object') {
    const query: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(req.query)) query[k] = SECRET_PARAM.test(k) ? REDACTED : v;
    req.query = query;
  }
  if (req.headers && typeof req.headers.referer === 'string') req.headers = { ...req.headers, referer: redactUrl(req.headers.referer) };
  return req;
}

/** Options for pino-http's child logger (its own serializers wrap ours). */
export const requestLogOptions = {
  redact: {
    paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]', 'headers.cookie', 'headers.authorization'],
    censor: REDACTED,
  },
  serializers: { req: requestSerializer },
};

/** Whether a request is worth a log line (static files and health checks are not). */
export function isQuietRequest(req: IncomingMessage): boolean {
  return req.url?.startsWith('/public/') === true || req.url === '/healthz';
}

/**
 * The root logger at the configured level: pretty in development on a terminal (`terminal` is
 * whether stdout is one), JSON lines otherwise; `destination` replaces stdout (tests).
 */
export function createLogger(
  config: { logLevel: string; env: 'development' | 'production' | 'test' },
  opts: { terminal?: boolean; destination?: NodeJS.WritableStream } = {},
): Logger {
  const options = { level: config.logLevel, redact: { paths: requestLogOptions.redact.paths, censor: REDACTED } };
  if (opts.destination) return pino(options, opts.destination);
  if (config.env !== 'development' || !opts.terminal) return pino(options);
  return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } });
}
