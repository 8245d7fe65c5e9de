/**
 * A mailer for service unit tests: keeps what the service asked to send, sends nothing.
 */
import type { MailContent, Mailer, Recipient } from '../../src/web/mail';

export interface SentMail {
  to: Recipient;
  content: MailContent;
}

export function recordingMailer(): { mailer: Mailer; sent: SentMail[] } {
  const sent: SentMail[] = [];
  const mailer: Mailer = {
    send: async () => undefined,
    notify: async (to, content) => {
      sent.push({ to, content });
    },
    start: () => undefined,
    drained: async () => undefined,
    close: async () => undefined,
  };
  return { mailer, sent };
}
