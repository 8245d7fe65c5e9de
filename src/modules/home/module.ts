/**
 * The home page: what the portal is, then a section from each feature module that offers one
 * (current fair, latest practices, latest board threads). The modules to ask are handed in by the
 * module list (src/modules/index.ts), so home imports none of them.
 */
import { Router } from 'express';
import type { AppContext, HomeSection, PortalModule } from '../../web/context';

export function createHomeModule(sources: () => readonly PortalModule[]): PortalModule {
  return {
    name: 'home',
    router(ctx: AppContext) {
      const router = Router();
      router.get('/', async (req, res) => {
        const sections: HomeSection[] = [];
        for (const mod of sources()) {
          if (!mod.homeSection) continue;
          const section = await mod.homeSection(ctx, { lang: req.lang, actor: req.user });
          if (section) sections.push(section);
        }
        res.render('home/index', { title: req.t('home.title'), sections });
      });
      return router;
    },
  };
}
