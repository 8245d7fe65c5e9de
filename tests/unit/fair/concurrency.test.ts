/**
 * Allocation under concurrent clicks: the database, not a check-then-write, decides.
 */
import { Types } from 'mongoose';
import { createTestApp, type TestApp } from '../../helpers/app';
import { User, Company } from '../../../src/modules/accounts/model';
import { toActor } from '../../../src/modules/accounts';
import type { Actor } from '../../../src/kernel';
import { ValidationError } from '../../../src/kernel';
import { Booth, BoothAssignment, BoothRequest, FairEdition, QuotaCounter } from '../../../src/modules/fair';
import { NoteForm, type HumanAction } from '../../../src/modules/fair/transitions';
import { createFairService } from '../../../src/modules/fair/service';
import { parseOrThrow } from '../../../src/web/forms';
import type { BoothDoc, FairEditionDoc } from '../../../src/modules/fair/model';

jest.setTimeout(90_000);

let t: TestApp;
let edition: FairEditionDoc;
let organizer: Actor;

/** The service as the routes use it, on a clock set to `now`; forms parsed as at the edge. */
function fairAt(now: Date) {
  return createFairService({ mailer: t.ctx.mailer, files: t.ctx.files, clock: () => now, baseUrl: t.config.baseUrl });
}
function transition(who: Actor, id: string, action: HumanAction, input: { note?: string; booths?: string[] }, now: Date) {
  const fair = fairAt(now);
  if (action === 'approve') return fair.approve(who, id, { booths: input.booths ?? [], note: input.note });
  return fair.transition(who, id, action, parseOrThrow(NoteForm, { note: input.note }));
}
const MEMBERS = ['CN', 'DE', 'FR', 'JP', 'KR', 'IT', 'VN', 'TH', 'SG', 'MY'];

/** Endorsed requests straight in the database (no mail to wait for), one company each. */
async function endorsedRequests(n: number, memberOf: (i: number) => string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const member = memberOf(i);
    const user = await User.create({ email: `c${i}-${new Types.ObjectId()}@example.org`, name: `Owner ${i}`, passwordHash: 'x', role: 'member', member, emailVerifiedAt: new Date() });
    const company = await Company.create({ name: `Company ${i} 公司`, member, sector: 'food', size: 'small', owner: user._id });
    const r = await BoothRequest.create({
      edition: edition._id,
      company: company._id,
      companyName: company.name,
      member,
      requester: user._id,
      contactName: 'x',
      phone: '+86 1234567',
      products: 'Tea',
      boothCount: 1,
      status: 'endorsed',
      active: true,
      submittedAt: new Date(),
      timeline: [],
    });
    ids.push(String(r._id));
  }
  return ids;
}

beforeAll(async () => {
  t = await createTestApp();
  edition = (await FairEdition.findOne({ code: /^cismef-/ }).lean<FairEditionDoc>())!;
  organizer = toActor((await User.findOne({ role: 'organizer' }).lean()) as never);
});
afterAll(async () => {
  await t.close();
});

test('50 parallel allocations of the same booth: exactly one succeeds, the others get a clear conflict', async () => {
  await FairEdition.updateOne({ _id: edition._id }, { $set: { defaultQuota: 100 } });
  edition = (await FairEdition.findById(edition._id).lean<FairEditionDoc>())!;
  const ids = await endorsedRequests(50, (i) => MEMBERS[i % MEMBERS.length]!);
  const booth = (await Booth.findOne({ edition: edition._id, code: 'C05' }).lean<BoothDoc>())!;
  const results = await Promise.allSettled(ids.map((id) => transition(organizer, id, 'approve', { booths: [String(booth._id)] }, new Date())));
  const ok = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(ok).toHaveLength(1);
  expect(refused).toHaveLength(49);
  for (const r of refused) {
    // The organizer stays on the allocation page with the reason beside the booth list.
    expect(r.reason).toBeInstanceOf(ValidationError);
    expect((r.reason as ValidationError).fieldErrors.booths!.key).toBe('fair:errors.boothTaken');
  }
  expect(await BoothAssignment.countDocuments({ edition: edition._id, booth: booth._id })).toBe(1);
  expect(await BoothRequest.countDocuments({ edition: edition._id, status: 'approved' })).toBe(1);
  // Every loser's quota reservation was given back: only the winner's booth is counted.
  const counters = await QuotaCounter.find({ edition: edition._id }).lean();
  expect(counters.reduce((sum, c) => sum + c.used, 0)).toBe(1);
});

test("20 parallel approvals racing a member's last quota place: the quota holds", async () => {
  await BoothRequest.deleteMany({});
  await BoothAssignment.deleteMany({});
  await QuotaCounter.deleteMany({});
  await FairEdition.updateOne({ _id: edition._id }, { $set: { defaultQuota: 3 } });
  edition = (await FairEdition.findById(edition._id).lean<FairEditionDoc>())!;
  const booths = await Booth.find({ edition: edition._id }).sort({ code: 1 }).limit(22).lean<BoothDoc[]>();
  // Two of KR's three places are taken already.
  const first = await endorsedRequests(2, () => 'KR');
  for (const [i, id] of first.entries()) await transition(organizer, id, 'approve', { booths: [String(booths[i]!._id)] }, new Date());
  const racing = await endorsedRequests(20, () => 'KR');
  const results = await Promise.allSettled(racing.map((id, i) => transition(organizer, id, 'approve', { booths: [String(booths[i + 2]!._id)] }, new Date())));
  const ok = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(ok).toHaveLength(1);
  for (const r of refused) expect((r.reason as ValidationError).fieldErrors.booths!.key).toBe('fair:errors.quotaLeft');
  expect(await BoothAssignment.countDocuments({ edition: edition._id, member: 'KR' })).toBe(3);
  expect(await BoothRequest.countDocuments({ edition: edition._id, member: 'KR', status: 'approved' })).toBe(3);
  const counter = (await QuotaCounter.findOne({ edition: edition._id, member: 'KR' }).lean())!;
  expect(counter).toMatchObject({ used: 3, quota: 3 });
});
