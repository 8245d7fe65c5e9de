/**
 * The mail outbox: messages are kept in the database inside the request and sent by the
 * background sender right after; a refused delivery is retried with back-off; several portal
 * instances never send one message twice; a dead instance's claims are taken over after the
 * lease; closing the mailer finishes the delivery under way and claims nothing more.
 * Tests wait on `mailer.drained()` and on the SMTP server's events, never on the clock.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createTestApp, type TestApp } from '../../helpers/app';
import { OutboxMail, createMailer, type Recipient } from '../../../src/web/mail';

jest.setTimeout(60_000);

const content = (n: number | string) => ({ subject: { key: 'accounts:mail.reset.subject' }, lines: [{ quote: `message ${n}` }] });
const someone = (): Recipient => ({ email: `r-${randomBytes(4).toString('hex')}@example.org`, name: 'Reader', language: 'en' });

describe('one instance', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Short back-off and lease so a retry and a take-over happen within the test.
    t = await createTestApp({ mailTiming: { retryBaseMs: 50, maxAttempts: 3 } });
  });
  afterAll(async () => {
    await t.close();
  });

  test('a delivery the SMTP server refuses is retried and arrives; the outbox is empty afterwards', async () => {
    const to = someone();
    t.smtp.refuseNext(1);
    await t.ctx.mailer.notify(to, content('retry'));
    const mail = await t.smtp.waitFor((m) => m.to.includes(to.email));
    expect(mail.text).toContain('> message retry');
    expect(t.smtp.refused()).toBe(1);
    await t.ctx.mailer.drained();
    expect(t.smtp.to(to.email)).toHaveLength(1);
    expect(await OutboxMail.countDocuments({})).toBe(0);
  });

  test('after repeated refusals the message is kept as failed, not dropped and not retried forever', async () => {
    const to = someone();
    t.smtp.refuseNext(3);
    await t.ctx.mailer.notify(to, content('failing'));
    await t.ctx.mailer.drained({ includingRetries: true });
    const kept = await OutboxMail.findOne({}).lean();
    expect(kept).toMatchObject({ status: 'failed', attempts: 3 });
    expect(kept!.lastError).toContain('451');
    expect(t.smtp.refused()).toBe(1 + 3);
    expect(t.smtp.to(to.email)).toHaveLength(0);
    await OutboxMail.deleteMany({});
  });

  test('a message claimed by an instance that died is sent once its lease has run out; a live lease is respected', async () => {
    const dead = someone();
    const live = someone();
    const past = new Date(Date.now() - 1000);
    const future = new Date(Date.now() + 60 * 60 * 1000);
    const message = (r: Recipient) => ({ to: r.email, subject: 'claimed', text: 'claimed', html: '<p>claimed</p>' });
    await OutboxMail.create([
      { message: message(dead), status: 'pending', attempts: 1, nextAttemptAt: past, claimToken: 'a-dead-instance' },
      { message: message(live), status: 'pending', attempts: 1, nextAttemptAt: future, claimToken: 'a-live-instance' },
    ]);
    await t.ctx.mailer.drained();
    expect(t.smtp.to(dead.email)).toHaveLength(1);
    expect(t.smtp.to(live.email)).toHaveLength(0);
    expect(await OutboxMail.countDocuments({ claimToken: 'a-live-instance' })).toBe(1);
    await OutboxMail.deleteMany({});
  });

  test('closing the mailer finishes the delivery under way and claims nothing more', async () => {
    const first = someone();
    const second = someone();
    t.smtp.hold();
    await t.ctx.mailer.notify(first, content('first'));
    await t.smtp.waitForHeld(1);
    await t.ctx.mailer.notify(second, content('second'));
    const closing = t.ctx.mailer.close();
    t.smtp.release();
    await closing;
    expect(t.smtp.to(first.email)).toHaveLength(1);
    const left = await OutboxMail.find({}).lean();
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ status: 'pending', attempts: 0, message: expect.objectContaining({ to: expect.stringContaining(second.email) }) });
    expect(t.smtp.to(second.email)).toHaveLength(0);
  });

  test('without SMTP_URL the sender writes each message as an .eml file (development)', async () => {
    // The test app's own sender is closed (above); this one takes over what it left.
    const outboxDir = mkdtempSync(path.join(os.tmpdir(), 'asem-eml-'));
    const mailer = createMailer({ from: 'ASEM SME Exchange <no-reply@localhost>', outboxDir, logger: pino({ level: 'silent' }) });
    try {
      mailer.start();
      await mailer.notify({ email: 'dev@example.org', name: '开发者', language: 'zh-CN' }, content('eml'));
      await mailer.drained();
      const files = readdirSync(outboxDir).filter((f) => f.endsWith('.eml'));
      expect(files).toHaveLength(2); // the one left by the closed sender, and this one
      const texts = files.map((f) => readFileSync(path.join(outboxDir, f), 'utf8'));
      expect(texts.some((x) => x.includes('dev@example.org'))).toBe(true);
      expect(await OutboxMail.countDocuments({})).toBe(0);
    } finally {
      await mailer.close();
      rmSync(outboxDir, { recursive: true, force: true });
    }
  });
});

test('two instances on one database send every message exactly once between them', async () => {
  const a = await createTestApp();
  const b = await createTestApp({ sameDatabaseAs: a });
  try {
    const recipients = Array.from({ length: 30 }, someone);
    // Both instances keep messages and both senders race for all of them.
    await Promise.all(recipients.map((r, i) => (i % 2 ? a : b).ctx.mailer.notify(r, content(i))));
    await Promise.all([a.ctx.mailer.drained(), b.ctx.mailer.drained()]);
    await Promise.all([a.ctx.mailer.drained(), b.ctx.mailer.drained()]);
    const delivered = [...a.smtp.mails, ...b.smtp.mails].flatMap((m) => m.to);
    expect(delivered.sort()).toEqual(recipients.map((r) => r.email).sort());
    expect(await OutboxMail.countDocuments({})).toBe(0);
  } finally {
    await b.close();
    await a.close();
  }
});
