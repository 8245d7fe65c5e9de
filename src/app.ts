/**
 * Builds the Express app from its context. No I/O happens on import; server.ts and the tests call
 * createApp once the database is connected.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import expressLayouts from 'express-ejs-layouts';
import session from 'express-session';
import { MongoStore } from 'connect-mongo';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import compression from 'compression';
import { pinoHttp } from 'pino-http';
import type { AppContext, PortalModule } from './web/context';
import { configurePassport } from './modules/accounts';
import { languageMiddleware, languageSwitch, returnPathOf, LANGUAGES } from './web/i18n';
import { csrfLocals, csrfProtection } from './web/csrf';
import { flashLocals } from './web/flash';
import { isQuietRequest, requestLogOptions } from './web/logging';
import { formBodyParser, refuseUnexpectedMultipart } from './web/body';
import { errorHandler, notFoundHandler } from './web/error-handler';
import { portalModules } from './modules';
import { pingDatabase } from './db';
import { requestTimeLimit } from './web/time-limit';
import { rememberViewLookups, staticAssets } from './web/assets';
import { pageCache } from './web/page-cache';

export const SESSION_COOKIE = 'asem.sid';
const SESSION_DAYS = 14;

export function createApp(ctx: AppContext, modules: PortalModule[] = portalModules): Express {
  const { config } = ctx;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy ? 1 : false);
  app.set('view engine', 'ejs');
  const viewsDir = path.resolve(__dirname, '../views');
  app.set('views', viewsDir);
  app.set('layout', 'layouts/main');
  if (config.isProduction) {
    app.set('view cache', true);
    rememberViewLookups(viewsDir);
  }
  // Pages carry a weak ETag of their body (Express's default): a reader whose copy is unchanged
  // gets 304 without the body. Static files carry their own (modification time and size).
  app.set('etag', 'weak');

  app.use(
    pinoHttp({
      logger: ctx.logger,
      genReqId: (req, res) => {
        const id = randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: isQuietRequest },
      ...requestLogOptions,
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          ...(config.isProduction ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      hsts: config.isProduction,
      crossOriginEmbedderPolicy: false,
    }),
  );
  // gzip or brotli (brotli at a fast quality) for pages, CSS and scripts of 1 kB or more, when the
  // browser accepts it; images (SVG is text) too. Server-sent or already compressed types are left alone.
  app.use(compression({ threshold: 1024 }));
  const assets = staticAssets(path.resolve(__dirname, '../public'), '/public', { maxAgeSeconds: config.isProduction ? 7 * 24 * 3600 : 0 });
  /** View helper: the URL of a file of public/ with its content hash (cached for a year, immutable). */
  app.locals.asset = assets.asset;
  app.use('/public', assets.handler);
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/public/img/favicon.svg'));

  // Answers within its own 2 s budget even when the database hangs (pingDatabase races a timer).
  app.get('/healthz', async (_req, res) => {
    if (await pingDatabase(ctx.connection)) res.json({ status: 'ok' });
    else res.status(503).json({ status: 'unavailable' });
  });
  app.use(requestTimeLimit({ ms: config.requestTimeoutMs }));

  app.use(cookieParser());
  // Anonymous readers' pages, served again from memory for up to PAGE_CACHE_MS (src/web/page-cache.ts).
  app.use(pageCache({ ttlMs: config.pageCacheMs, sessionCookie: SESSION_COOKIE }));
  app.use(formBodyParser());
  app.use(refuseUnexpectedMultipart(app));
  app.use(
    session({
      name: SESSION_COOKIE,
      secret: config.sessionSecret,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      store: MongoStore.create({
        client: ctx.connection.getClient(),
        dbName: ctx.connection.db?.databaseName,
        collectionName: 'sessions',
        ttl: SESSION_DAYS * 24 * 3600,
        autoRemove: 'native',
        touchAfter: 60,
      }),
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.isProduction, maxAge: SESSION_DAYS * 24 * 3600 * 1000 },
    }),
  );
  const passport = configurePassport();
  app.use(passport.initialize());
  app.use(passport.session());
  app.use(languageMiddleware());
  // Before the CSRF check: see languageSwitch for why it needs no token.
  app.post('/language', languageSwitch({ secureCookies: config.isProduction }));
  app.use(csrfLocals);
  app.use(flashLocals);
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.locals.currentUser = req.user ?? null;
    res.locals.currentPath = req.path;
    res.locals.title = '';
    res.locals.languages = LANGUAGES;
    res.locals.unreadMessages = 0;
    /** Where the language switcher returns to. */
    res.locals.returnPath = returnPathOf(req);
    next();
  });
  const csrfExempt = new Set(modules.flatMap((mod) => mod.csrfExemptPaths ?? []));
  app.use((req: Request, res: Response, next: NextFunction) => (req.method === 'POST' && csrfExempt.has(req.path) ? next() : csrfProtection(req, res, next)));
  app.use(expressLayouts);

  for (const mod of modules) if (mod.middleware) app.use(mod.middleware(ctx));
  for (const mod of modules) if (mod.router) app.use(mod.router(ctx));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
