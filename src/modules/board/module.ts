/**
 * The board module's wiring: the message board (categories, threads, posts, moderation,
 * subscriptions), its organizer pages, the start-up work (category seed, re-rendering, counter
 * repair) and the home-page section.
 */
import { Router } from 'express';
import { oncePerContext, type PortalModule } from '../../web/context';
import { createPostingLimiter } from '../../web/rate-limit';
import { boardAdminRouter } from './admin.routes';
import { boardDeskCount, boardDeskItems } from './desk';
import { boardRouter } from './routes';
import { createBoardService } from './services';

// The same counter as the messages module ('posting', keyed by user id): one budget per new
// account for everything it writes, so a spammer cannot double it by switching between the two.
const boardService = oncePerContext((ctx) =>
  createBoardService({
    mailer: ctx.mailer,
    clock: ctx.now,
    baseUrl: ctx.config.baseUrl,
    secret: ctx.config.sessionSecret,
    postingLimiter: createPostingLimiter(ctx.connection, ctx.rateLimits.posting),
  }),
);

export const boardModule: PortalModule = {
  name: 'board',
  csrfExemptPaths: ['/board/unsubscribe'],
  deskItems: (_ctx, actor) => boardDeskItems(actor),
  deskCount: (_ctx, actor) => boardDeskCount(actor),
  router(ctx) {
    const board = boardService(ctx);
    const router = Router();
    router.use(boardRouter(board));
    router.use(boardAdminRouter(board));
    return router;
  },
  async onStart(ctx) {
    const { added, rerendered, repaired, removed } = await boardService(ctx).startUp(ctx.startUp);
    if (added) ctx.logger.info({ added }, 'board categories seeded');
    if (rerendered) ctx.logger.info({ rerendered }, 'board posts re-rendered with the current Markdown renderer');
    if (repaired || removed) ctx.logger.warn({ repaired, removed }, 'board thread counters repaired from their posts');
  },
  async homeSection(ctx) {
    const threads = await boardService(ctx).latestThreads(5);
    return { view: 'board/home-section', data: { boardThreads: threads } };
  },
};
