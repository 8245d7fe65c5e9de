/**
 * The organizer's board pages: categories (create, edit, reorder) and the queue of reported posts.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireRole } from '../../web/auth';
import { flash } from '../../web/flash';
import { formHandler, parseOrThrow, type FormState } from '../../web/forms';
import { paginate, pageFrom } from '../../web/pagination';
import { CategoryForm, categoryValues } from './categories';
import { REPORT_STATUSES, type ReportStatus } from './model';
import { ReportDecisionForm } from './moderation';
import type { BoardService } from './services';

const REPORTS_PER_PAGE = 25;
const EMPTY = { slug: '', nameEn: '', nameZh: '', descriptionEn: '', descriptionZh: '' };
const MoveForm = z.object({ direction: z.enum(['up', 'down']) });

export function boardAdminRouter(board: BoardService): Router {
  const router = Router();
  router.use('/admin/board', requireRole('organizer'));

  router.get('/admin/board', (_req, res) => res.redirect(302, '/admin/board/categories'));

  router.get('/admin/board/categories', async (req, res) => {
    const [categories, openReports] = await Promise.all([board.listCategoriesWithStats(), board.openReportCount()]);
    res.render('board/admin-categories', { title: req.t('board:admin.categoriesTitle'), categories, openReports });
  });

  /** The category form, new (no :id) or editing: the stored values, or the user's input after an error. */
  const showForm = async (req: Request, res: Response, state: FormState) => {
    const category = req.params.id ? await board.findCategoryById(req.params.id) : null;
    const categoryId = category ? String(category._id) : null;
    res.render('board/admin-category-form', {
      title: req.t(categoryId ? 'board:admin.editTitle' : 'board:admin.newTitle'),
      categoryId,
      values: { ...EMPTY, ...(category ? categoryValues(category) : {}), ...state.values },
      errors: state.errors,
      action: categoryId ? `/admin/board/categories/${categoryId}/edit` : '/admin/board/categories/new',
    });
  };
  const saved = (req: Request, res: Response) => {
    flash(req, 'success', 'board:admin.saved');
    res.redirect(303, '/admin/board/categories');
  };

  router.get('/admin/board/categories/new', (req, res) => showForm(req, res, { values: {}, errors: {} }));
  router.post('/admin/board/categories/new', formHandler({
    body: CategoryForm,
    render: showForm,
    async handle(req, res, { body }) {
      await board.createCategory(req.user, body);
      saved(req, res);
    },
  }));

  router.get('/admin/board/categories/:id/edit', (req, res) => showForm(req, res, { values: {}, errors: {} }));
  router.post('/admin/board/categories/:id/edit', formHandler({
    body: CategoryForm,
    render: showForm,
    async handle(req, res, { body }) {
      const category = await board.findCategoryById(req.params.id);
      await board.updateCategory(req.user, String(category._id), body);
      saved(req, res);
    },
  }));

  router.post('/admin/board/categories/:id/move', async (req, res) => {
    const { direction } = parseOrThrow(MoveForm, req.body);
    await board.moveCategory(req.user, String(req.params.id), direction);
    flash(req, 'success', 'board:admin.moved');
    res.redirect(303, '/admin/board/categories');
  });

  router.get('/admin/board/reports', async (req, res) => {
    const status: ReportStatus = (REPORT_STATUSES as readonly string[]).includes(String(req.query.status)) ? (req.query.status as ReportStatus) : 'open';
    const page = pageFrom(req.query, REPORTS_PER_PAGE);
    const { reports, total, openCount } = await board.listReports(req.user, status, page);
    res.render('board/admin-reports', { title: req.t('board:reports.title'), reports, status, statuses: REPORT_STATUSES, openCount, pagination: paginate('/admin/board/reports', req.query, page, total) });
  });

  router.post('/admin/board/reports/:id', async (req, res) => {
    const { decision } = parseOrThrow(ReportDecisionForm, req.body);
    await board.decideReport(req.user, req.params.id, decision);
    flash(req, 'success', `board:reports.done.${decision}`);
    res.redirect(303, '/admin/board/reports');
  });

  return router;
}
