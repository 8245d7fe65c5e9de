/**
 * The contact-request service with a clock it controls: 20 requests per sending company per day,
 * 30-day expiry (an expired request can no longer be accepted), and the accepted-contact door.
 */
import { Types } from 'mongoose';
import { connectTestDb, disconnectTestDb } from '../../helpers/db';
import { makeUser, type MadeUser } from '../../helpers/factories';
import { ValidationError, ConflictError, type Actor } from '../../../src/kernel';
import type { Mailer } from '../../../src/web/mail';
import { acceptContactRequest, expireContactRequests, hasAcceptedContact, sendContactRequest, REQUESTS_PER_DAY } from '../../../src/modules/partners/contacts';
import { ContactRequest } from '../../../src/modules/partners/model';

jest.setTimeout(120_000);

const sentMail: unknown[] = [];
const mailer = { notify: async (...args: unknown[]) => void sentMail.push(args) } as unknown as Mailer;
let now = new Date('2026-03-01T10:00:00Z');
const deps = { mailer, clock: () => now, baseUrl: 'https://asem.example' };

const actorOf = (u: MadeUser): Actor => ({ id: u.id, role: 'member', name: u.name, email: u.email, language: 'en', member: u.member, companyId: u.companyId, createdAt: new Date() }) as Actor;

beforeAll(async () => {
  await connectTestDb();
});
afterAll(async () => {
  await disconnectTestDb();
});

test('at most 20 requests per sending company per day; the next day more may go', async () => {
  const sender = await makeUser({ member: 'CN' });
  const targets = await Promise.all(Array.from({ length: REQUESTS_PER_DAY + 1 }, () => makeUser({ member: 'FR' })));
  for (const target of targets.slice(0, REQUESTS_PER_DAY)) {
    await sendContactRequest(deps, actorOf(sender), { toCompany: target.companyId!, message: 'Hello' });
  }
  await expect(sendContactRequest(deps, actorOf(sender), { toCompany: targets[REQUESTS_PER_DAY]!.companyId!, message: 'One too many' })).rejects.toBeInstanceOf(ValidationError);
  expect(await ContactRequest.countDocuments({ fromCompany: new Types.ObjectId(sender.companyId!) })).toBe(REQUESTS_PER_DAY);
  now = new Date(now.getTime() + 25 * 3600_000);
  await sendContactRequest(deps, actorOf(sender), { toCompany: targets[REQUESTS_PER_DAY]!.companyId!, message: 'Next day' });
  expect(await ContactRequest.countDocuments({ fromCompany: new Types.ObjectId(sender.companyId!) })).toBe(REQUESTS_PER_DAY + 1);
});

test('open requests expire after 30 days and can no longer be accepted; then a new one may be sent', async () => {
  const [a, b] = await Promise.all([makeUser({ member: 'VN' }), makeUser({ member: 'PL' })]);
  const { id } = await sendContactRequest(deps, actorOf(a), { toCompany: b.companyId!, message: 'Xin chào' });
  now = new Date(now.getTime() + 29 * 86_400_000);
  await expireContactRequests(now);
  expect((await ContactRequest.findById(id).lean())!.status).toBe('open');
  now = new Date(now.getTime() + 2 * 86_400_000);
  await expect(acceptContactRequest(deps, actorOf(b), id)).rejects.toBeInstanceOf(ConflictError);
  expect(await expireContactRequests(now)).toBeGreaterThanOrEqual(1);
  expect((await ContactRequest.findById(id).lean())!.status).toBe('expired');
  expect(await hasAcceptedContact(a.id, b.id)).toBe(false);
  const again = await sendContactRequest(deps, actorOf(a), { toCompany: b.companyId!, message: 'Second try' });
  await acceptContactRequest(deps, actorOf(b), again.id);
  expect(await hasAcceptedContact(a.id, b.id)).toBe(true);
  expect(await hasAcceptedContact(b.id, a.id)).toBe(true);
});
