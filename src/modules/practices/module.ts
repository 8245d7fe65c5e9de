/**
 * The best-practice library's wiring: policy initiatives and business practices with their
 * documents, search, the Atom feed, interest, and moderation (/admin/practices).
 */
import { oncePerContext, type PortalModule } from '../../web/context';
import { sweepStaleTemp } from '../../web/uploads';
import { listAsemMembers } from '../members';
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
    const { rerendered, reindexed } = await practicesService(ctx).startUp(ctx.startUp);
    if (rerendered) ctx.logger.info({ rerendered }, 'practices re-rendered with the current Markdown renderer');
    if (reindexed) ctx.logger.info({ reindexed }, 'practices re-indexed for search');
  },
  async homeSection(ctx) {
    const [items, members] = await Promise.all([practicesService(ctx).latestPractices(5), listAsemMembers()]);
    // The view names each member in the reader's language (code in a tooltip), never by code alone.
    return { view: 'practices/home-section', data: { latestPracticesList: items, homeMembers: members } };
  },
};
