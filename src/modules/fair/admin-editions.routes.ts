/**
 * The organizer's fair editions: the edition form, publishing the allocation and closing requests
 * (each asked about first on a page of its own).
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { actorOf, requireRole } from '../../web/auth';
import type { AppContext } from '../../web/context';
import { flash } from '../../web/flash';
import { formHandler, type FormValues } from '../../web/forms';
import type { FieldErrors } from '../../kernel';
import { EditionForm, NewEditionForm, currentEdition, editionFormValues, findEdition, listEditions } from './editions';
import { latestEdition, startingValues } from './continuity';
import { EDITION_STATUSES, type FairEditionDoc } from './model';
import type { FairService } from './service';

const Empty = z.object({});

export function fairAdminEditionsRouter(ctx: AppContext, fair: FairService): Router {
  const router = Router();
  router.use(['/admin/fair', '/admin/fair/*rest'], requireRole('organizer'));

  router.get('/admin/fair', async (req, res) => {
    const current = await currentEdition();
    if (current) return res.redirect(303, `/admin/fair/editions/${String(current._id)}`);
    res.render('fair/admin/index', { title: req.t('fair:admin.title'), editions: await listEditions() });
  });

  router.get('/admin/fair/editions', async (req, res) => {
    res.render('fair/admin/index', { title: req.t('fair:admin.title'), editions: await listEditions() });
  });

  async function editionForm(req: Request, res: Response, edition: FairEditionDoc | null, values: FormValues | Record<string, string | number>, errors: FieldErrors) {
    // A new edition may start from the latest one's hall and quotas.
    const source = edition ? null : await latestEdition();
    res.render('fair/admin/edition-form', { title: req.t(edition ? 'fair:admin.editEdition' : 'fair:admin.newEdition'), edition, values, errors, statuses: EDITION_STATUSES, source });
  }

  router.get('/admin/fair/editions/new', async (req, res) => {
    const source = await latestEdition();
    const year = Math.max(ctx.now().getUTCFullYear() + 1, source ? source.year + 1 : 0);
    await editionForm(req, res, null, startingValues(source, year), {});
  });

  router.post(
    '/admin/fair/editions/new',
    formHandler({
      body: NewEditionForm,
      render: (req, res, { values, errors }) => editionForm(req, res, null, values, errors),
      async handle(req, res, { body }) {
        const { edition, copied } = await fair.createEditionFrom(actorOf(req), body);
        flash(req, 'success', 'fair:flash.editionSaved');
        if (body.copyFrom) flash(req, 'success', 'fair:flash.hallCopied', { count: copied });
        res.redirect(303, `/admin/fair/editions/${String(edition._id)}`);
      },
    }),
  );

  router.get('/admin/fair/editions/:id/edit', async (req, res) => {
    const edition = await findEdition(req.params.id);
    editionForm(req, res, edition, editionFormValues(edition), {});
  });

  router.post(
    '/admin/fair/editions/:id/edit',
    formHandler({
      body: EditionForm,
      render: async (req, res, { values, errors }) => editionForm(req, res, await findEdition(req.params.id), values, errors),
      async handle(req, res, { body }) {
        const edition = await fair.updateEdition(actorOf(req), String(req.params.id), body);
        flash(req, 'success', 'fair:flash.editionSaved');
        res.redirect(303, `/admin/fair/editions/${String(edition._id)}`);
      },
    }),
  );

  // Publishing and closing: each asked about on its own page (GET), done by its POST.
  for (const step of ['publish', 'close'] as const) {
    router.get(`/admin/fair/editions/:id/${step}`, async (req, res) => {
      const edition = await findEdition(req.params.id);
      res.render('fair/admin/confirm', { title: req.t(`fair:confirm.${step}.title`), edition, step, action: `/admin/fair/editions/${String(edition._id)}/${step}` });
    });
    router.post(
      `/admin/fair/editions/:id/${step}`,
      formHandler({
        body: Empty,
        render: (req, res) => res.redirect(303, `/admin/fair/editions/${String(req.params.id)}/${step}`),
        async handle(req, res) {
          const actor = actorOf(req);
          const edition = step === 'publish' ? await fair.publishAllocation(actor, String(req.params.id)) : await fair.closeRequests(actor, String(req.params.id));
          flash(req, 'success', step === 'publish' ? 'fair:flash.published' : 'fair:flash.closed');
          res.redirect(303, `/admin/fair/editions/${String(edition._id)}`);
        },
      }),
    );
  }

  return router;
}
