/**
 * A real SMTP server on 127.0.0.1 for the tests: the portal's mailer sends to it over SMTP, and
 * each message is parsed (mailparser) and kept for assertions.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface CapturedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: ParsedMail['headers'];
  /** Attachments and non-text alternatives (a text/calendar invitation), their content as text. */
  attachments: { filename: string; contentType: string; method: string; content: string }[];
}

export interface TestSmtp {
  url: string;
  mails: CapturedMail[];
  /** Resolves with the first mail (already received or arriving) that matches; fails after timeoutMs. */
  waitFor(match: (m: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  /** Resolves once every message received so far has been parsed and recorded. */
  idle(): Promise<void>;
  to(address: string): CapturedMail[];
  /** Refuses the next `count` deliveries with a temporary error (451 at RCPT TO). */
  refuseNext(count: number): void;
  /** How many deliveries were refused so far. */
  refused(): number;
  /** From now on, deliveries stop inside DATA (the client waits for the answer) until release(). */
  hold(): void;
  release(): void;
  /** Resolves once `count` deliveries are waiting in hold. */
  waitForHeld(count?: number, timeoutMs?: number): Promise<void>;
  clear(): void;
  close(): Promise<void>;
}

export async function startTestSmtp(): Promise<TestSmtp> {
  const mails: CapturedMail[] = [];
  const waiters: { match: (m: CapturedMail) => boolean; resolve: (m: CapturedMail) => void }[] = [];
  let parsing = 0;
  let idleWaiters: (() => void)[] = [];
  const doneParsing = () => {
    parsing -= 1;
    if (parsing === 0) {
      const ready = idleWaiters;
      idleWaiters = [];
      for (const w of ready) w();
    }
  };
  let toRefuse = 0;
  let refusedCount = 0;
  let gate: { promise: Promise<void>; open: () => void } | null = null;
  let held = 0;
  const heldWaiters: { count: number; resolve: () => void }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (toRefuse > 0) {
        toRefuse--;
        refusedCount++;
        return callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
      }
      callback();
    },
    onData(stream, _session, callback) {
      parsing += 1;
      const waitGate = gate
        ? (() => {
            held++;
            for (const w of heldWaiters.filter((h) => held >= h.count)) {
              heldWaiters.splice(heldWaiters.indexOf(w), 1);
              w.resolve();
            }
            return gate.promise;
          })()
        : Promise.resolve();
      simpleParser(stream)
        .then(async (parsed) => {
          await waitGate;
          return parsed;
        })
        .then((parsed) => {
          const toField = parsed.to;
          const toList = (Array.isArray(toField) ? toField : toField ? [toField] : []).flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
          const mail: CapturedMail = { to: toList, subject: parsed.subject ?? '', text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '', headers: parsed.headers, attachments: (parsed.attachments ?? []).map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, method: String((a as { method?: string }).method ?? ''), content: a.content.toString('utf8') })) };
          mails.push(mail);
          for (const w of [...waiters]) {
            if (w.match(mail)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(mail);
            }
          }
          doneParsing();
          callback();
        })
        .catch((err: Error) => {
          doneParsing();
          callback(err);
        });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    waitFor(match, timeoutMs = 10_000) {
      const found = mails.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (m: CapturedMail) => { clearTimeout(timer); resolve(m); } };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no matching mail within ${timeoutMs} ms; received: ${mails.map((m) => `${m.to.join(',')}: ${m.subject}`).join(' | ') || 'none'}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    idle: () => (parsing === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    to: (address) => mails.filter((m) => m.to.includes(address.toLowerCase())),
    refuseNext(count) {
      toRefuse = count;
    },
    refused: () => refusedCount,
    hold() {
      if (gate) return;
      let open!: () => void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      gate = { promise, open };
    },
    release() {
      gate?.open();
      gate = null;
      held = 0;
    },
    waitForHeld(count = 1, timeoutMs = 10_000) {
      if (held >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`fewer than ${count} deliveries held within ${timeoutMs} ms`)), timeoutMs);
        heldWaiters.push({ count, resolve: () => { clearTimeout(timer); resolve(); } });
      });
    },
    clear: () => {
      mails.length = 0;
    },
    close: () => {
      gate?.open();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The first absolute link in a mail's text that starts with the given path, e.g. '/verify-email'. */
export function linkIn(mail: CapturedMail, pathPrefix: string): string {
  const match = mail.text.match(new RegExp(`https?://[^\\s>]+${pathPrefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}[^\\s>]*`));
  if (!match) throw new Error(`no link to ${pathPrefix} in mail "${mail.subject}":\n${mail.text}`);
  return match[0];
}
