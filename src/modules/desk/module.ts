/**
 * The desk (/desk): what waits for the signed-in person, from every module that offers desk
 * items; the header badge (the desk's count, once per request); the daily digest job. The modules
 * to ask are handed in by the module list (src/modules/index.ts), so the desk imports none of them.
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { actorOf, requireUser } from '../../web/auth';
import type { AppContext, PortalModule } from '../../web/context';
import { flash } from '../../web/flash';
import { fields, formHandler } from '../../web/forms';
import { runEvery } from '../../web/schedule';
import { createDeskService, type DeskService } from './service';

const DIGEST_POLL_MS = 60 * 60 * 1000;
const DigestForm = z.object({ digest: fields.checkbox() });

export function createDeskModule(sources: () => readonly PortalModule[]): PortalModule {
  const built = new WeakMap<AppContext, DeskService>();
  const serviceOf = (ctx: AppContext): DeskService => {
    let s = built.get(ctx);
    if (!s) {
      s = createDeskService({ ctx, sources, mailer: ctx.mailer, clock: ctx.now, baseUrl: ctx.config.baseUrl, secret: ctx.config.sessionSecret });
      built.set(ctx, s);
    }
    return s;
  };

  return {
    name: 'desk',
    csrfExemptPaths: ['/desk/unsubscribe'],
    middleware(ctx) {
      /** The header badge: the desk's count, computed once per page (counts only). */
      return (req: Request, res: Response, next: NextFunction) => {
        const user = req.user;
        res.locals.deskCount = 0;
        if (!user || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
        serviceOf(ctx)
          .countFor(user)
          .then((count) => {
            res.locals.deskCount = count;
            next();
          })
          .catch(next);
      };
    },
    router(ctx) {
      const desk = serviceOf(ctx);
      const router = Router();
      const show = async (req: Request, res: Response) => {
        const actor = actorOf(req);
        const [items, digest] = await Promise.all([desk.itemsFor(actor), desk.digestEnabled(actor)]);
        const now = ctx.now().getTime();
        res.render('desk/index', {
          title: req.t('desk:title'),
          items: items.map((i) => ({ ...i, ageDays: Math.max(0, Math.floor((now - i.since.getTime()) / 86_400_000)) })),
          digest,
        });
      };
      router.get('/desk', requireUser, show);
      router.post(
        '/desk/digest',
        requireUser,
        formHandler({
          body: DigestForm,
          render: show,
          async handle(req, res, { body }) {
            await desk.setDigest(actorOf(req), body.digest);
            flash(req, 'success', body.digest ? 'desk:flash.digestOn' : 'desk:flash.digestOff');
            res.redirect(303, '/desk');
          },
        }),
      );
      // One-click unsubscribe (RFC 8058): the page asks; its POST (or the mail client's) unsubscribes.
      router.get('/desk/unsubscribe', (req, res) => {
        const valid = !!desk.readUnsubscribeToken(req.query.token);
        res.status(valid ? 200 : 404).render('desk/unsubscribe', { title: req.t('desk:unsubscribe.title'), token: valid ? String(req.query.token) : null, done: false });
      });
      router.post('/desk/unsubscribe', async (req, res) => {
        const ok = await desk.unsubscribeByToken(req.query.token);
        res.status(ok ? 200 : 404).render('desk/unsubscribe', { title: req.t('desk:unsubscribe.title'), token: null, done: ok });
      });
      return router;
    },
    async onStart(ctx) {
      if (ctx.config.env === 'test') return; // tests run the digest themselves (sendDigests)
      runEvery(ctx.logger, 'desk digest', DIGEST_POLL_MS, () => serviceOf(ctx).sendDigests());
    },
  };
}

export { createDeskService };
