/**
 * The one mailer. Sends over SMTP (SMTP_URL) or, without it, writes each message as an .eml file to
 * DATA_DIR/mail. A send that fails is kept in the database outbox and retried with back-off, so a
 * user's action never fails or is lost because mail is down. Every message has a text and an HTML
 * part, built from catalogue keys in the recipient's language (see MailContent).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { Schema, model, models, type Model } from 'mongoose';
import type { MessageRef } from '../kernel';
import { translator, type Language } from './i18n';
import { escapeHtml } from './html';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

export interface Recipient {
  email: string;
  name?: string;
  language: Language;
}

/** A mail line: a catalogue key, or user-written text (shown escaped, quoted). */
export type MailLine = MessageRef | { quote: string };

export interface MailContent {
  subject: MessageRef;
  lines: MailLine[];
  action?: { label: MessageRef; url: string };
  /** One-click unsubscribe: a footer line and the List-Unsubscribe header. */
  unsubscribeUrl?: string;
}

export interface Mailer {
  /** Sends now; on failure keeps it for retry. Never throws. */
  send(message: MailMessage): Promise<void>;
  /** Builds a message from catalogue keys in the recipient's language and sends it. */
  notify(to: Recipient, content: MailContent): Promise<void>;
  /** Retries messages whose next attempt is due; returns how many were sent. */
  retryDue(): Promise<number>;
  startRetryLoop(intervalMs?: number): void;
  close(): Promise<void>;
}

interface OutboxDoc {
  message: MailMessage;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string;
  createdAt: Date;
}

const OutboxSchema = new Schema<OutboxDoc>({
  message: { type: Schema.Types.Mixed, required: true },
  attempts: { type: Number, default: 1 },
  nextAttemptAt: { type: Date, required: true, index: true },
  lastError: { type: String, default: '' },
  createdAt: { type: Date, default: () => new Date() },
});
export const OutboxMail: Model<OutboxDoc> = (models.OutboxMail as Model<OutboxDoc>) ?? model<OutboxDoc>('OutboxMail', OutboxSchema, 'mail_outbox');

const MAX_ATTEMPTS = 10;
const backoffMs = (attempts: number) => Math.min(60 * 60 * 1000, 30_000 * 2 ** (attempts - 1));

export function renderMail(to: Recipient, content: MailContent): MailMessage {
  const t = translator(to.language);
  const tr = (m: MessageRef) => t(m.key, m.params ?? {});
  const subject = tr(content.subject);
  const greeting = to.name ? t('emails:greeting', { name: to.name }) : t('emails:greetingAnonymous');
  const signature = t('emails:signature');
  const textLines: string[] = [greeting, ''];
  const htmlParts: string[] = [`<p>${escapeHtml(greeting)}</p>`];
  for (const line of content.lines) {
    if ('quote' in line) {
      textLines.push(line.quote.split('\n').map((l) => `> ${l}`).join('\n'), '');
      htmlParts.push(`<blockquote style="border-left:3px solid #ccc;margin:0;padding-left:12px;color:#444">${escapeHtml(line.quote).replace(/\n/g, '<br>')}</blockquote>`);
    } else {
      textLines.push(tr(line), '');
      htmlParts.push(`<p>${escapeHtml(tr(line))}</p>`);
    }
  }
  if (content.action) {
    textLines.push(`${tr(content.action.label)}: ${content.action.url}`, '');
    htmlParts.push(`<p><a href="${escapeHtml(content.action.url)}" style="display:inline-block;padding:10px 18px;background:#0b5cab;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(tr(content.action.label))}</a></p>`);
    htmlParts.push(`<p style="font-size:12px;color:#555">${escapeHtml(t('emails:linkFallback'))}<br>${escapeHtml(content.action.url)}</p>`);
  }
  textLines.push(signature);
  htmlParts.push(`<p>${escapeHtml(signature)}</p>`);
  const headers: Record<string, string> = {};
  if (content.unsubscribeUrl) {
    textLines.push('', `${t('emails:unsubscribe')}: ${content.unsubscribeUrl}`);
    htmlParts.push(`<p style="font-size:12px;color:#555"><a href="${escapeHtml(content.unsubscribeUrl)}">${escapeHtml(t('emails:unsubscribe'))}</a></p>`);
    headers['List-Unsubscribe'] = `<${content.unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  const html = `<!doctype html><html lang="${to.language}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:600px;margin:auto;padding:16px"><p style="font-weight:bold;color:#0b5cab">${escapeHtml(t('common:siteName'))}</p>${htmlParts.join('\n')}</body></html>`;
  return { to: to.name ? `"${to.name.replace(/["\\\r\n]/g, '')}" <${to.email}>` : to.email, subject, text: textLines.join('\n'), html, headers };
}

export function createMailer(opts: { smtpUrl?: string; from: string; outboxDir: string; logger: Logger }): Mailer {
  const { logger } = opts;
  const transport: Transporter = opts.smtpUrl
    ? nodemailer.createTransport(opts.smtpUrl)
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let timer: NodeJS.Timeout | undefined;

  async function deliver(message: MailMessage): Promise<void> {
    const info = await transport.sendMail({ from: opts.from, ...message });
    if (!opts.smtpUrl) {
      mkdirSync(opts.outboxDir, { recursive: true });
      const file = path.join(opts.outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`);
      writeFileSync(file, (info as unknown as { message: Buffer }).message);
      logger.info({ to: message.to, file }, 'mail written to outbox folder');
    } else {
      logger.info({ to: message.to, messageId: info.messageId }, 'mail sent');
    }
  }

  async function send(message: MailMessage): Promise<void> {
    try {
      await deliver(message);
    } catch (err) {
      logger.warn({ err, to: message.to }, 'mail send failed; kept for retry');
      try {
        await OutboxMail.create({ message, attempts: 1, nextAttemptAt: new Date(Date.now() + backoffMs(1)), lastError: String(err) });
      } catch (storeErr) {
        logger.error({ err: storeErr, to: message.to }, 'mail could not be kept for retry');
      }
    }
  }

  async function retryDue(): Promise<number> {
    let sent = 0;
    const due = await OutboxMail.find({ nextAttemptAt: { $lte: new Date() } }).limit(50).lean();
    for (const item of due) {
      try {
        await deliver(item.message);
        await OutboxMail.deleteOne({ _id: item._id });
        sent++;
      } catch (err) {
        const attempts = item.attempts + 1;
        if (attempts > MAX_ATTEMPTS) {
          logger.error({ err, to: item.message.to }, 'mail dropped after repeated failures');
          await OutboxMail.deleteOne({ _id: item._id });
        } else {
          await OutboxMail.updateOne({ _id: item._id }, { $set: { attempts, nextAttemptAt: new Date(Date.now() + backoffMs(attempts)), lastError: String(err) } });
        }
      }
    }
    return sent;
  }

  return {
    send,
    notify: (to, content) => send(renderMail(to, content)),
    retryDue,
    startRetryLoop(intervalMs = 30_000) {
      timer = setInterval(() => {
        retryDue().catch((err: unknown) => logger.error({ err }, 'mail retry failed'));
      }, intervalMs);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      transport.close();
    },
  };
}
