/**
 * The one mailer, built on an outbox. `notify`/`send` only write the message to the outbox
 * collection (inside the request, one database write) and wake the background sender, which
 * delivers it right after over SMTP (SMTP_URL) or, without it, as an .eml file in DATA_DIR/mail.
 * So no request waits for SMTP, and no response time tells whether an address exists.
 *
 * The sender claims one message at a time with an atomic update that leases it (see claimNext):
 * several portal instances never send the same message twice, and the messages of an instance
 * that died are taken over when its lease ends. A failed delivery is retried with back-off
 * (30 s, doubling, at most an hour) up to 10 attempts, then kept as `failed`. Every message has a
 * text and an HTML part, built from catalogue keys in the recipient's language (see MailContent).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { Schema, model, models, trusted, type Model } from 'mongoose';
import type { MessageRef } from '../kernel';
import { translator, type Language } from './i18n';
import { escapeHtml } from './html';
import { outsideRequest } from './time-limit';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  /**
   * An iCalendar part (RFC 6047): nodemailer sends it as the text/calendar alternative calendar
   * clients act on, and as an .ics attachment. Plain strings, so the outbox keeps it as is.
   */
  icalEvent?: CalendarPart;
}

export interface CalendarPart {
  /** The iTIP method, the same as the METHOD line of the content: REQUEST, CANCEL or PUBLISH. */
  method: 'REQUEST' | 'CANCEL' | 'PUBLISH';
  filename: string;
  content: string;
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
  /** A calendar invitation or cancellation carried along (see MailMessage.icalEvent). */
  calendar?: CalendarPart;
}

export interface Mailer {
  /**
   * Keeps the message in the outbox collection (one database write, inside the request) and wakes
   * the background sender. Never waits for SMTP; never throws (a message that cannot even be kept
   * is logged).
   */
  send(message: MailMessage): Promise<void>;
  /** Builds a message from catalogue keys in the recipient's language and sends it (see send). */
  notify(to: Recipient, content: MailContent): Promise<void>;
  /** Starts the background sender (server start-up; tests). Messages kept before it starts wait for it. */
  start(): void;
  /**
   * Resolves once the sender has made a full pass after this call and found nothing more that is
   * due now (a message waiting for its next retry is not due). With `includingRetries`, it waits
   * until no pending message is left at all (retries done, or given up). Tests wait on it instead
   * of sleeping.
   */
  drained(opts?: { includingRetries?: boolean }): Promise<void>;
  /** Stops the sender: no new message is claimed, the one being sent is finished. */
  close(): Promise<void>;
}

type OutboxStatus = 'pending' | 'failed';

interface OutboxDoc {
  message: MailMessage;
  /** pending: waiting to be sent (or being sent under a lease); failed: given up after MAX_ATTEMPTS. */
  status: OutboxStatus;
  /** Delivery attempts started so far. */
  attempts: number;
  /**
   * When the message may next be claimed: its creation, its next retry, or — while an instance is
   * sending it — the end of that instance's lease, after which another instance takes it over.
   */
  nextAttemptAt: Date;
  /** The claim of the instance sending it now; only that claim may settle the message. */
  claimToken: string;
  lastError: string;
  createdAt: Date;
}

const OutboxSchema = new Schema<OutboxDoc>({
  message: { type: Schema.Types.Mixed, required: true },
  status: { type: String, enum: ['pending', 'failed'], default: 'pending' },
  attempts: { type: Number, default: 0 },
  nextAttemptAt: { type: Date, required: true },
  claimToken: { type: String, default: '' },
  lastError: { type: String, default: '' },
  createdAt: { type: Date, default: () => new Date() },
});
OutboxSchema.index({ status: 1, nextAttemptAt: 1 });
export const OutboxMail: Model<OutboxDoc> = (models.OutboxMail as Model<OutboxDoc>) ?? model<OutboxDoc>('OutboxMail', OutboxSchema, 'mail_outbox');

/** Messages sent and given up per day (UTC), for the organizer's figures: counts only, no content. */
interface MailDayDoc {
  day: string;
  sent: number;
  failed: number;
}
const MailDaySchema = new Schema<MailDayDoc>({ day: { type: String, required: true, unique: true }, sent: { type: Number, default: 0 }, failed: { type: Number, default: 0 } });
export const MailDayCount: Model<MailDayDoc> = (models.MailDayCount as Model<MailDayDoc>) ?? model<MailDayDoc>('MailDayCount', MailDaySchema, 'mail_daily');

/** One more sent or failed message today: an upsert `$inc` (a lost insert race is retried as an update). */
async function countMail(outcome: 'sent' | 'failed'): Promise<void> {
  const day = new Date().toISOString().slice(0, 10);
  const bump = () => MailDayCount.updateOne({ day }, { $inc: { [outcome]: 1 } }, { upsert: true });
  await bump().catch((err: unknown) => ((err as { code?: number }).code === 11000 ? bump() : Promise.reject(err)));
}

export interface SenderTiming {
  /** Delivery attempts before a message is kept as failed. */
  maxAttempts: number;
  /** The wait after the first failed attempt; doubled after each further failure, at most an hour. */
  retryBaseMs: number;
  /** How long a claim holds: longer than one SMTP delivery can take (see the transport timeouts). */
  leaseMs: number;
  /** How often an idle sender looks for messages of other instances and expired leases. */
  pollMs: number;
}

export const DEFAULT_SENDER_TIMING: SenderTiming = { maxAttempts: 10, retryBaseMs: 30_000, leaseMs: 3 * 60_000, pollMs: 30_000 };

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
  const message: MailMessage = { to: to.name ? `"${to.name.replace(/["\\\r\n]/g, '')}" <${to.email}>` : to.email, subject, text: textLines.join('\n'), html, headers };
  if (content.calendar) message.icalEvent = { method: content.calendar.method, filename: content.calendar.filename, content: content.calendar.content };
  return message;
}

export interface MailerOptions {
  smtpUrl?: string;
  from: string;
  outboxDir: string;
  logger: Logger;
  timing?: Partial<SenderTiming>;
}

export function createMailer(opts: MailerOptions): Mailer {
  const { logger } = opts;
  const timing: SenderTiming = { ...DEFAULT_SENDER_TIMING, ...opts.timing };
  const backoffMs = (attempts: number) => Math.min(60 * 60 * 1000, timing.retryBaseMs * 2 ** (attempts - 1));
  // Bounded SMTP waits, well inside the lease, so a hung server never outlives a claim.
  const transport: Transporter = opts.smtpUrl
    ? nodemailer.createTransport({ url: opts.smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 })
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

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

  /**
   * Claims the oldest due message with one atomic update: it is pushed a lease into the future
   * under a new claim token, so no other instance (nor this one) takes it meanwhile; if this
   * instance dies, the lease runs out and the message is due again.
   */
  async function claimNext(): Promise<{ doc: OutboxDoc & { _id: unknown }; token: string } | null> {
    const now = new Date();
    const token = randomBytes(12).toString('hex');
    // The document before the update, which is right on MongoDB and the embedded database alike.
    const doc = await OutboxMail.findOneAndUpdate(
      { status: 'pending', nextAttemptAt: trusted({ $lte: now }) },
      { $set: { nextAttemptAt: new Date(now.getTime() + timing.leaseMs), claimToken: token }, $inc: { attempts: 1 } },
      { sort: { nextAttemptAt: 1 }, returnDocument: 'before' },
    ).lean<OutboxDoc & { _id: unknown }>();
    return doc ? { doc, token } : null;
  }

  async function attempt({ doc, token }: { doc: OutboxDoc & { _id: unknown }; token: string }): Promise<void> {
    const attempts = doc.attempts + 1;
    const mine = { _id: doc._id, claimToken: token };
    try {
      await deliver(doc.message);
    } catch (err) {
      if (attempts >= timing.maxAttempts) {
        logger.error({ err, to: doc.message.to, attempts }, 'mail given up after repeated failures');
        const given = await OutboxMail.updateOne(mine, { $set: { status: 'failed', lastError: String(err) } });
        if (given.modifiedCount) await countMail('failed').catch((e: unknown) => logger.warn({ err: e }, 'mail count not kept'));
      } else {
        const retryAt = new Date(Date.now() + backoffMs(attempts));
        logger.warn({ err, to: doc.message.to, attempts, retryAt }, 'mail send failed; will retry');
        await OutboxMail.updateOne(mine, { $set: { nextAttemptAt: retryAt, lastError: String(err) } });
      }
      return;
    }
    // Sent: settle it (outside the try, so a database hiccup here is never taken for a failed send).
    const settledNow = await OutboxMail.deleteOne(mine);
    if (settledNow.deletedCount) await countMail('sent').catch((e: unknown) => logger.warn({ err: e }, 'mail count not kept'));
  }

  let started = false;
  let stopped = false;
  let wakeRequested = false;
  let current: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let idleWaiters: { includingRetries: boolean; resolve: () => void }[] = [];
  /** Whether the last pass left pending messages (due later, or leased by another instance). */
  let pendingLeft = false;

  /** Sends until nothing is due, then sleeps until the next retry or the next poll. */
  async function run(): Promise<void> {
    clearTimeout(timer);
    while (wakeRequested && !stopped) {
      wakeRequested = false;
      try {
        for (let claimed = await claimNext(); claimed; claimed = stopped ? null : await claimNext()) await attempt(claimed);
      } catch (err) {
        logger.error({ err }, 'mail outbox unavailable; will try again');
        break;
      }
    }
    if (stopped) return;
    let delay = timing.pollMs;
    try {
      const next = await OutboxMail.findOne({ status: 'pending' }, { nextAttemptAt: 1 }).sort({ nextAttemptAt: 1 }).lean<{ nextAttemptAt: Date }>();
      pendingLeft = Boolean(next);
      if (next) delay = Math.min(delay, Math.max(25, next.nextAttemptAt.getTime() - Date.now() + 5));
    } catch {
      // the database is away: poll
    }
    if (stopped) return;
    timer = setTimeout(wake, delay);
    timer.unref();
  }

  function settled(): void {
    current = null;
    if (wakeRequested && !stopped) return wake();
    const ready = idleWaiters.filter((w) => !w.includingRetries || !pendingLeft || stopped);
    idleWaiters = idleWaiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  function wake(): void {
    wakeRequested = true;
    if (!started || stopped || current) return;
    // Never inside the request that woke it: the sender must outlive that request's time limit.
    current = outsideRequest(run)
      .catch((err: unknown) => logger.error({ err }, 'mail sender failed'))
      .finally(settled);
  }

  async function send(message: MailMessage): Promise<void> {
    try {
      await OutboxMail.create({ message, status: 'pending', attempts: 0, nextAttemptAt: new Date() });
    } catch (err) {
      logger.error({ err, to: message.to }, 'mail could not be kept in the outbox');
      return;
    }
    wake();
  }

  return {
    send,
    notify: (to, content) => send(renderMail(to, content)),
    start() {
      if (started || stopped) return;
      started = true;
      // Messages kept by an earlier version of the outbox, which had no status.
      void OutboxMail.updateMany({ status: trusted({ $exists: false }) }, { $set: { status: 'pending' } })
        .catch((err: unknown) => logger.warn({ err }, 'mail outbox: could not upgrade older messages'))
        .finally(wake);
    },
    drained({ includingRetries = false } = {}) {
      if (!started || stopped) return Promise.resolve();
      const done = new Promise<void>((resolve) => idleWaiters.push({ includingRetries, resolve }));
      wake();
      return done;
    },
    async close() {
      stopped = true;
      clearTimeout(timer);
      await current;
      for (const w of idleWaiters.splice(0)) w.resolve();
      transport.close();
    },
  };
}
