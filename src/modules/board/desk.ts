/** The board's desk items: for the organizer, reports still to moderate. */
import type { Actor, DeskItem } from '../../kernel';
import { BoardReport } from './model';

export async function boardDeskItems(actor: Actor): Promise<DeskItem[]> {
  if (actor.role !== 'organizer') return [];
  const reports = await BoardReport.find({ status: 'open' }, { reason: 1, createdAt: 1, thread: 1 }).sort({ createdAt: 1 }).limit(100).lean();
  return reports.map((r) => ({
    kind: 'board.report',
    title: { key: 'board:desk.report', params: { reason: r.reason.slice(0, 80) } },
    url: '/admin/board',
    since: r.createdAt,
    action: { key: 'board:desk.moderate' },
  }));
}

export async function boardDeskCount(actor: Actor): Promise<number> {
  return actor.role === 'organizer' ? BoardReport.countDocuments({ status: 'open' }) : 0;
}
