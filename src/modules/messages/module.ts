/**
 * The messages module's front door: the liaison directory, private conversations between
 * officials (and an SME with its own liaison), and organizer announcements to the liaisons.
 */
import type { NextFunction, Request, Response } from 'express';
import { oncePerContext, type PortalModule } from '../../web/context';
import { createMessagesService } from './services';
import { messagesDeskCount, messagesDeskItems } from './desk';
import { messagesRouter } from './routes';
import { countUnreadMessages, listConversations } from './service';
import { countPendingAnnouncements, listPendingAnnouncements } from './announcements';


export interface MessagesWiring {
  /** Whether two SMEs have an accepted contact (the partners module answers; see MessagesDeps). */
  acceptedContact?: (userA: string, userB: string) => Promise<boolean>;
}

export function createMessagesModule(wiring: MessagesWiring = {}): PortalModule {
  const messagesService = oncePerContext((ctx) =>
    createMessagesService({ mailer: ctx.mailer, clock: ctx.now, baseUrl: ctx.config.baseUrl, ...(wiring.acceptedContact ? { acceptedContact: wiring.acceptedContact } : {}) }),
  );
  return {
  name: 'messages',
  deskItems: (_ctx, actor) => messagesDeskItems(actor),
  deskCount: (_ctx, actor) => messagesDeskCount(actor),
  router(ctx) {
    return messagesRouter(ctx, messagesService(ctx));
  },
  /** For a signed-in reader: the latest conversations and any announcement still to acknowledge. */
  async homeSection(_ctx, { actor }) {
    if (!actor) return null;
    const [{ items }, unread, pending] = await Promise.all([
      listConversations(actor, { skip: 0, perPage: 3 }),
      countUnreadMessages(actor.id),
      actor.role === 'liaison' ? listPendingAnnouncements(actor, 3) : Promise.resolve([]),
    ]);
    return { view: 'messages/home-section', data: { messageConversations: items, messageUnread: unread, messagePending: pending } };
  },
  middleware() {
    /** The header badge: unread messages, plus announcements a liaison has yet to acknowledge. */
    return (req: Request, res: Response, next: NextFunction) => {
      const user = req.user;
      if (!user || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
      Promise.all([countUnreadMessages(user.id), user.role === 'liaison' ? countPendingAnnouncements(user.id) : Promise.resolve(0)])
        .then(([unread, pending]) => {
          res.locals.unreadMessages = unread + pending;
          res.locals.unreadConversationMessages = unread;
          res.locals.pendingAnnouncementCount = pending;
          next();
        })
        .catch(next);
    };
  },
};
}

/** The messages module without the partners door (tests that build it alone). */
export const messagesModule: PortalModule = createMessagesModule();
