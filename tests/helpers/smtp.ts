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
}

export interface TestSmtp {
  url: string;
  mails: CapturedMail[];
  /** Resolves with the first mail (already received or arriving) that matches; fails after timeoutMs. */
  waitFor(match: (m: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  /** Resolves once every message received so far has been parsed and recorded. */
  idle(): Promise<void>;
  to(address: string): CapturedMail[];
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
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      parsing += 1;
      simpleParser(stream)
        .then((parsed) => {
          const toField = parsed.to;
          const toList = (Array.isArray(toField) ? toField : toField ? [toField] : []).flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
          const mail: CapturedMail = { to: toList, subject: parsed.subject ?? '', text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '', headers: parsed.headers };
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
    clear: () => {
      mails.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first absolute link in a mail's text that starts with the given path, e.g. '/verify-email'. */
export function linkIn(mail: CapturedMail, pathPrefix: string): string {
  const match = mail.text.match(new RegExp(`https?://[^\\s>]+${pathPrefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}[^\\s>]*`));
  if (!match) throw new Error(`no link to ${pathPrefix} in mail "${mail.subject}":\n${mail.text}`);
  return match[0];
}
