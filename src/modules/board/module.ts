/**
 * The board module's front door: the message board (categories, threads, posts, moderation,
 * subscriptions), its organizer pages, the start-up seed of categories and the home-page section.
 */
import { Router } from 'express';
import type { PortalModule } from '../../web/context';
import { boardAdminRouter } from './admin.routes';
import { seedCategories } from './categories';
import { boardDeskCount, boardDeskItems } from './desk';
import { boardRouter } from './routes';
import { latestThreads, rerenderStalePosts } from './service';


export const boardModule: PortalModule = {
  name: 'board',
  csrfExemptPaths: ['/board/unsubscribe'],
  deskItems: (_ctx, actor) => boardDeskItems(actor),
  deskCount: (_ctx, actor) => boardDeskCount(actor),
  router(ctx) {
    const router = Router();
    router.use(boardRouter(ctx));
    router.use(boardAdminRouter(ctx));
    return router;
  },
  async onStart(ctx) {
    const added = await seedCategories();
    if (added) ctx.logger.info({ added }, 'board categories seeded');
    const rerendered = await rerenderStalePosts();
    if (rerendered) ctx.logger.info({ rerendered }, 'board posts re-rendered with the current Markdown renderer');
  },
  async homeSection() {
    const threads = await latestThreads(5);
    return { view: 'board/home-section', data: { boardThreads: threads } };
  },
};
