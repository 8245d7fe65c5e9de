/**
 * /forgot-password and /verify-email/resend answer a known and an unknown address through the
 * same path: the same page, and no SMTP inside the request. The SMTP server is held (it accepts
 * nothing until released): a request that waited for SMTP could not answer at all, so each answer
 * below proves that the request only kept the message in the outbox, which the background sender
 * delivers afterwards.
 */
import { createTestApp, type TestApp } from '../../helpers/app';
import { newAgent, postForm } from '../../helpers/http';
import { makeUser } from '../../helpers/factories';
import { trusted } from 'mongoose';
import { OutboxMail } from '../../../src/web/mail';

jest.setTimeout(60_000);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const withoutCsrf = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, '');
const keptFor = (email: string) => OutboxMail.countDocuments({ 'message.to': trusted({ $regex: email.replace(/[.+]/g, '\\$&') }) });

test.each([
  { path: '/forgot-password', verified: true, subject: 'Choose a new password' },
  { path: '/verify-email/resend', verified: false, subject: 'Confirm your e-mail address' },
])('$path: same page for a known and an unknown address, and the request never waits for SMTP', async ({ path, verified, subject }) => {
  const person = await makeUser({ verified });
  const unknown = `nobody-${Date.now()}@example.com`;
  t.smtp.hold();
  try {
    const known = await postForm(newAgent(t.app), path, { email: person.email }, path);
    const other = await postForm(newAgent(t.app), path, { email: unknown }, path);
    expect(known.status).toBe(200);
    expect(other.status).toBe(200);
    expect(withoutCsrf(known.text)).toBe(withoutCsrf(other.text));
    // What the requests did: one message kept for the known address, nothing for the unknown one,
    // and nothing delivered yet (SMTP is held).
    expect(t.smtp.to(person.email)).toHaveLength(0);
    expect(await keptFor(unknown)).toBe(0);
    await t.smtp.waitForHeld(1); // the background sender is at the SMTP server now, after both answers
  } finally {
    t.smtp.release();
  }
  const mail = await t.smtp.waitFor((m) => m.to.includes(person.email));
  expect(mail.subject).toBe(subject);
  await t.ctx.mailer.drained();
  expect(t.smtp.to(unknown)).toHaveLength(0);
  expect(await keptFor(person.email)).toBe(0);
});
