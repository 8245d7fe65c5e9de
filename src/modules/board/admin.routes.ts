/**
 * The organizer's board pages: categories (create, edit, reorder) and the queue of reported posts.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../web/context';
import { requireRole } from '../../web/auth';
import { ValidationError, type FieldErrors } from '../../kernel';
import { flash } from '../../web/flash';
import { parseForm, parseOrThrow } from '../../web/forms';
import { paginate, pageFrom } from '../../web/pagination';
import { CategoryForm, categoryValues, createCategory, findCategoryById, listCategoriesWithStats, moveCategory, updateCategory } from './categories';
import { BoardReport, REPORT_STATUSES, type ReportStatus } from './model';
import { ReportDecisionForm, decideReport, listReports } from './moderation';

const REPORTS_PER_PAGE = 25;
const EMPTY = { slug: '', nameEn: '', nameZh: '', descriptionEn: '', descriptionZh: '' };

export function boardAdminRouter(ctx: AppContext): Router {
  const router = Router();
  router.use('/admin/board', requireRole('organizer'));

  router.get('/admin/board', (_req, res) => res.redirect(302, '/admin/board/categories'));

  router.get('/admin/board/categories', async (req, res) => {
    const [categories, openReports] = await Promise.all([listCategoriesWithStats(), BoardReport.countDocuments({ status: 'open' })]);
    res.render('board/admin-categories', { title: req.t('board:admin.categoriesTitle'), categories, openReports });
  });

  const showForm = (req: Request, res: Response, categoryId: string | null, values: Record<string, string>, errors: FieldErrors, status = 200) =>
    res.status(status).render('board/admin-category-form', {
      title: req.t(categoryId ? 'board:admin.editTitle' : 'board:admin.newTitle'),
      categoryId,
      values,
      errors,
      action: categoryId ? `/admin/board/categories/${categoryId}/edit` : '/admin/board/categories/new',
    });

  router.get('/admin/board/categories/new', (req, res) => showForm(req, res, null, EMPTY, {}));

  router.post('/admin/board/categories/new', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, string>;
    const values = { ...EMPTY, ...body };
    const form = parseForm(CategoryForm, body);
    if (!form.ok) return showForm(req, res, null, values, form.errors, 422);
    try {
      await createCategory(req.user, form.data, ctx.now());
    } catch (err) {
      if (err instanceof ValidationError) return showForm(req, res, null, values, err.fieldErrors, 422);
      throw err;
    }
    flash(req, 'success', 'board:admin.saved');
    res.redirect(303, '/admin/board/categories');
  });

  router.get('/admin/board/categories/:id/edit', async (req, res) => {
    const category = await findCategoryById(req.params.id);
    showForm(req, res, String(category._id), categoryValues(category), {});
  });

  router.post('/admin/board/categories/:id/edit', async (req, res) => {
    const category = await findCategoryById(req.params.id);
    const id = String(category._id);
    const body = (req.body ?? {}) as Record<string, string>;
    const values = { ...EMPTY, ...body };
    const form = parseForm(CategoryForm, body);
    if (!form.ok) return showForm(req, res, id, values, form.errors, 422);
    try {
      await updateCategory(req.user, id, form.data, ctx.now());
    } catch (err) {
      if (err instanceof ValidationError) return showForm(req, res, id, values, err.fieldErrors, 422);
      throw err;
    }
    flash(req, 'success', 'board:admin.saved');
    res.redirect(303, '/admin/board/categories');
  });

  router.post('/admin/board/categories/:id/move', async (req, res) => {
    const { direction } = parseOrThrow(z.object({ direction: z.enum(['up', 'down']) }), req.body);
    await moveCategory(req.user, req.params.id, direction, ctx.now());
    flash(req, 'success', 'board:admin.moved');
    res.redirect(303, '/admin/board/categories');
  });

  router.get('/admin/board/reports', async (req, res) => {
    const status: ReportStatus = (REPORT_STATUSES as readonly string[]).includes(String(req.query.status)) ? (req.query.status as ReportStatus) : 'open';
    const page = pageFrom(req.query, REPORTS_PER_PAGE);
    const { reports, total, openCount } = await listReports(req.user, status, page);
    res.render('board/admin-reports', { title: req.t('board:reports.title'), reports, status, statuses: REPORT_STATUSES, openCount, pagination: paginate('/admin/board/reports', req.query, page, total) });
  });

  router.post('/admin/board/reports/:id', async (req, res) => {
    const { decision } = parseOrThrow(ReportDecisionForm, req.body);
    await decideReport(req.user, req.params.id, decision, ctx.now());
    flash(req, 'success', `board:reports.done.${decision}`);
    res.redirect(303, '/admin/board/reports');
  });

  return router;
}
