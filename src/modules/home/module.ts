/**
 * The home page: what the portal is, then a section from each feature module that offers one
 * (current fair, latest practices, latest board threads).
 */
import { Router } from 'express';
import type { AppContext, HomeSection, PortalModule } from '../../web/context';
// A cycle (the list includes this module) that is safe: the list is read per request, long after loading.
import { portalModules } from '../index';

export const homeModule: PortalModule = {
  name: 'home',
  router(ctx: AppContext) {
    const router = Router();
    router.get('/', async (req, res) => {
      const sections: HomeSection[] = [];
      for (const mod of portalModules) {
        if (!mod.homeSection) continue;
        const section = await mod.homeSection(ctx, { lang: req.lang, actor: req.user });
        if (section) sections.push(section);
      }
      res.render('home/index', { title: req.t('home.title'), sections });
    });
    return router;
  },
};
