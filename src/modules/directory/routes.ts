/**
 * The member directory pages: /members, /members/:code, /companies/:id.
 */
import { Router } from 'express';
import { getMemberPage, listDirectory } from './service';

export function directoryRouter(): Router {
  const router = Router();

  router.get('/members', async (req, res) => {
    const regions = await listDirectory(req.lang);
    res.render('members/index', { title: req.t('members:index.title'), regions });
  });

  router.get('/members/:code', async (req, res) => {
    const page = await getMemberPage(req.params.code, req.user, req.lang);
    res.render('members/show', { title: page.member.name[req.lang] || page.member.name.en, ...page });
  });

  return router;
}
