/**
 * The best-practice library's wiring: policy initiatives and business practices with their
 * documents, search, the Atom feed, interest, and moderation (/admin/practices).
 */
import { oncePerContext, type PortalModule } from '../../web/context';
import { sweepStaleTemp } from '../../web/uploads';
import { Practice, PracticeInterest } from './model';
import { practicesRouter } from './routes';
import { createPracticesService } from './services';

const practicesService = oncePerContext((ctx) => createPracticesService({ files: ctx.files, mailer: ctx.mailer, clock: ctx.now, baseUrl: ctx.config.baseUrl }));

export const practicesModule: PortalModule = {
  name: 'practices',
  router(ctx) {
    return practicesRouter(ctx, practicesService(ctx));
  },
  async onStart(ctx) {
    await Promise.all([Practice.createIndexes(), PracticeInterest.createIndexes()]);
    const swept = await sweepStaleTemp(ctx, ctx.now());
    if (swept) ctx.logger.info({ swept }, 'stale upload temp files removed');
    const { rerendered, reindexed } = await practicesService(ctx).startUp();
    if (rerendered) ctx.logger.info({ rerendered }, 'practices re-rendered with the current Markdown renderer');
    if (reindexed) ctx.logger.info({ reindexed }, 'practices re-indexed for search');
  },
  async homeSection(ctx) {
    const items = await practicesService(ctx).latestPractices(5);
    return { view: 'practices/home-section', data: { latestPracticesList: items } };
  },
};
