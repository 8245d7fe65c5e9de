/**
 * What the fair's services are built from (once, at start-up, in module.ts): the outbox mailer,
 * the file store for brochures, the clock and the portal's address for links in e-mails.
 */
import type { Clock } from '../../kernel';
import type { FileStore } from '../../web/files';
import type { Mailer } from '../../web/mail';

export interface FairDeps {
  mailer: Mailer;
  files: FileStore;
  clock: Clock;
  baseUrl: string;
}
