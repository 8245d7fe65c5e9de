/** The organizer's desk items from the mail outbox: messages given up after every retry. */
import { Router } from 'express';
import type { Actor, DeskItem } from '../../kernel';
import { objectIdOr404 } from '../../kernel';
import { requireRole } from '../../web/auth';
import { flash } from '../../web/flash';
import { OutboxMail } from '../../web/mail';

export async function adminDeskItems(actor: Actor): Promise<DeskItem[]> {
  if (actor.role !== 'organizer') return [];
  const failed = await OutboxMail.find({ status: 'failed' }, { message: 1, createdAt: 1 }).sort({ createdAt: 1 }).limit(100).lean();
  return failed.map((m) => ({
    kind: 'admin.mailFailed',
    title: { key: 'admin:desk.mailFailed', params: { to: m.message.to, subject: m.message.subject } },
    url: '/admin/mail',
    since: m.createdAt,
    action: { key: 'admin:desk.mailAction' },
  }));
}

export async function adminDeskCount(actor: Actor): Promise<number> {
  return actor.role === 'organizer' ? OutboxMail.countDocuments({ status: 'failed' }) : 0;
}

/** The failed mail page (/admin/mail) and its one action: send a message again (back to the outbox's queue). */
export function failedMailRouter(clock: () => Date): Router {
  const router = Router();
  router.get('/admin/mail', requireRole('organizer'), async (req, res) => {
    const failed = await OutboxMail.find({ status: 'failed' }, { message: 1, createdAt: 1, attempts: 1, lastError: 1 }).sort({ createdAt: 1 }).limit(200).lean();
    res.render('admin/mail', { title: req.t('admin:mail.title'), failed });
  });
  router.post('/admin/mail/:id/retry', requireRole('organizer'), async (req, res) => {
    const id = objectIdOr404(req.params.id);
    await OutboxMail.updateOne({ _id: id, status: 'failed' }, { $set: { status: 'pending', attempts: 0, nextAttemptAt: clock(), claimToken: '' } });
    flash(req, 'success', 'admin:mail.requeued');
    res.redirect(303, '/admin/mail');
  });
  return router;
}
