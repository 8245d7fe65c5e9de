/**
 * The best-practice library's front door: policy initiatives and business practices with their
 * documents, search, the Atom feed, interest, and moderation (/admin/practices).
 */
import type { PortalModule } from '../../web/context';
import { practicesRouter } from './routes';
import { latestPractices, rerenderStalePractices } from './service';
import { Practice, PracticeInterest } from './model';
import { sweepStaleTemp } from '../../web/uploads';


export const practicesModule: PortalModule = {
  name: 'practices',
  router(ctx) {
    return practicesRouter(ctx);
  },
  async onStart(ctx) {
    await Promise.all([Practice.createIndexes(), PracticeInterest.createIndexes()]);
    const swept = await sweepStaleTemp(ctx, ctx.now());
    if (swept) ctx.logger.info({ swept }, 'stale upload temp files removed');
    const rerendered = await rerenderStalePractices();
    if (rerendered) ctx.logger.info({ rerendered }, 'practices re-rendered with the current Markdown renderer');
  },
  async homeSection() {
    const items = await latestPractices(5);
    return { view: 'practices/home-section', data: { latestPracticesList: items } };
  },
};
