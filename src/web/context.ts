/**
 * What the app is built from. server.ts (or a test) assembles an AppContext once and hands it to
 * createApp and to each feature module, so nothing reaches for globals and tests can pass fakes.
 */
import type { StartUpState } from './start-up';
import type { RequestHandler, Router } from 'express';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Mailer } from './mail';
import type { Actor, Clock, DeskItem, Language } from '../kernel';
import type { FileStore } from './files';

export interface RateLimitRule {
  points: number;
  durationSeconds: number;
}

/** Rate limits on the endpoints that attackers hammer. Tests lower or raise them. */
export interface RateLimits {
  login: RateLimitRule; // per IP and e-mail
  loginPerIp: RateLimitRule;
  registration: RateLimitRule; // per IP
  passwordReset: RateLimitRule; // per IP
  posting: RateLimitRule; // per new account (board and messages)
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  login: { points: 10, durationSeconds: 15 * 60 },
  loginPerIp: { points: 100, durationSeconds: 60 * 60 },
  registration: { points: 10, durationSeconds: 60 * 60 },
  passwordReset: { points: 5, durationSeconds: 60 * 60 },
  posting: { points: 10, durationSeconds: 10 * 60 },
};

export interface AppContext {
  config: Readonly<Config>;
  logger: Logger;
  mailer: Mailer;
  /** Stored files (uploads): local disk or GridFS, see src/web/files.ts. */
  files: FileStore;
  connection: Connection;
  rateLimits: RateLimits;
  /** The clock: services are built with it (never `new Date()`), so tests can move time. */
  now: Clock;
  /** What start-up may skip (src/web/start-up.ts); absent: every start-up check runs. */
  startUp?: StartUpState;
}

/**
 * A feature module's front door: its routes, and what it needs once at start-up (seed data).
 * Routers carry full paths (a module may serve /fair and /admin/fair alike).
 */
export interface PortalModule {
  name: string;
  /** Its routes, if it has pages. */
  router?(ctx: AppContext): Router;
  onStart?(ctx: AppContext): Promise<void>;
  /**
   * POST paths that authenticate by a signed token in their URL, never by the session (one-click
   * unsubscribe, RFC 8058): a forged cross-site request can do nothing the token's holder could not,
   * so they take no CSRF token — mail clients post to them without one.
   */
  csrfExemptPaths?: string[];
  /** Runs on every request before any module's routes (e.g. the unread-messages count in the header). */
  middleware?(ctx: AppContext): RequestHandler;
  /** A block for the home page: a partial under views/ and the data it shows. */
  homeSection?(ctx: AppContext, reader: { lang: Language; actor: Actor | undefined }): Promise<HomeSection | null>;
  /** What waits for this person in this module, for the desk (/desk): each with its action and age. */
  deskItems?(ctx: AppContext, actor: Actor): Promise<DeskItem[]>;
  /** How many desk items wait (the header badge): counts only, computed cheaply. */
  deskCount?(ctx: AppContext, actor: Actor): Promise<number>;
}

export interface HomeSection {
  view: string; // e.g. 'fair/home-section'
  data: Record<string, unknown>;
}

/**
 * How a module gets its services: built once per app context from its dependencies, and shared by
 * the module's router, onStart, homeSection and middleware (see docs/DEVELOPING.md).
 *
 *   const services = oncePerContext((ctx) => createAccountsService({ mailer: ctx.mailer, clock: ctx.now, baseUrl: ctx.config.baseUrl }));
 */
export function oncePerContext<T>(build: (ctx: AppContext) => T): (ctx: AppContext) => T {
  const built = new WeakMap<AppContext, T>();
  return (ctx) => {
    if (!built.has(ctx)) built.set(ctx, build(ctx));
    return built.get(ctx) as T;
  };
}
