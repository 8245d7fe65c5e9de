/**
 * The member directory pages: /members, /members/:code, /companies/:id.
 */
import { Router } from 'express';
import { paginate, pageFrom } from '../../web/pagination';
import { COMPANIES_PER_PAGE, getMemberPage, listDirectory } from './service';

export function directoryRouter(): Router {
  const router = Router();

  router.get('/members', async (req, res) => {
    const regions = await listDirectory(req.lang);
    res.render('members/index', { title: req.t('members:index.title'), regions });
  });

  router.get('/members/:code', async (req, res) => {
    const at = pageFrom(req.query, COMPANIES_PER_PAGE);
    const page = await getMemberPage(req.params.code, req.user, req.lang, { skip: at.skip, limit: at.perPage });
    const pagination = paginate(`/members/${encodeURIComponent(page.member.code)}`, req.query, at, page.companyTotal);
    res.render('members/show', { title: page.member.name[req.lang] || page.member.name.en, ...page, pagination });
  });

  return router;
}
