/**
 * The booth request services against the database: wrong roles, wrong states, strangers, the
 * request window, quotas, one active request per company, withdrawal and the waitlist offers.
 */
import { Types } from 'mongoose';
import { createTestApp, type TestApp } from '../../helpers/app';
import { makeUser, type MadeUser } from '../../helpers/factories';
import { User } from '../../../src/modules/accounts/model';
import { toActor } from '../../../src/modules/accounts';
import type { Actor } from '../../../src/kernel';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../src/kernel';
import { Booth, BoothAssignment, BoothRequest, FairEdition, QuotaCounter } from '../../../src/modules/fair';
import { RequestForm } from '../../../src/modules/fair/requests';
import { reconcileAllocations } from '../../../src/modules/fair/repair';
import { NoteForm, type HumanAction } from '../../../src/modules/fair/transitions';
import { createFairService } from '../../../src/modules/fair/service';
import { parseOrThrow } from '../../../src/web/forms';
import { planTransition } from '../../../src/modules/fair/workflow';
import { REQUEST_STATUSES, type BoothRequestDoc, type FairEditionDoc, type RequestStatus } from '../../../src/modules/fair/model';

let t: TestApp;
let edition: FairEditionDoc;
let owner: MadeUser;
let other: MadeUser;
let liaisonCN: MadeUser;
let liaisonDE: MadeUser;
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
function createRequest(who: Actor, _edition: string, raw: Record<string, unknown>, now: Date) {
  return fairAt(now).createRequest(who, parseOrThrow(RequestForm, raw));
}

async function actor(u: { id: string }): Promise<Actor> {
  const doc = await User.findById(u.id).lean();
  return toActor(doc as never);
}

const FORM = { contactName: 'Li Wei', phone: '+86 20 1234 5678', products: 'Tea', boothCount: '1', intent: 'submit' };

async function requestIn(status: RequestStatus, user: MadeUser = owner, booths: { booth: Types.ObjectId; code: string }[] = []): Promise<BoothRequestDoc> {
  const active = ['draft', 'submitted', 'endorsed', 'approved', 'waitlisted', 'confirmed'].includes(status);
  const doc = await BoothRequest.create({
    edition: edition._id,
    company: new Types.ObjectId(user.companyId!),
    companyName: `${user.name} Ltd`,
    member: user.member!,
    requester: new Types.ObjectId(user.id),
    contactName: 'x',
    phone: '+86 1234567',
    products: 'Tea',
    boothCount: 1,
    status,
    active,
    booths,
    submittedAt: status === 'draft' ? null : new Date(),
    waitlistedAt: status === 'waitlisted' ? new Date() : null,
    timeline: [],
  });
  return doc.toObject() as BoothRequestDoc;
}

beforeAll(async () => {
  t = await createTestApp();
  edition = (await FairEdition.findOne({ code: /^cismef-/ }).lean<FairEditionDoc>())!;
  owner = await makeUser({ role: 'member', member: 'CN' });
  other = await makeUser({ role: 'member', member: 'CN' });
  liaisonCN = await makeUser({ role: 'liaison', member: 'CN' });
  liaisonDE = await makeUser({ role: 'liaison', member: 'DE' });
  organizer = await actor({ id: String((await User.findOne({ role: 'organizer' }).lean())!._id) });
});
afterAll(async () => {
  await t.close();
});
afterEach(async () => {
  t.setNow(null);
  await BoothRequest.deleteMany({});
  await BoothAssignment.deleteMany({});
  await QuotaCounter.deleteMany({});
});

describe('refusals change nothing', () => {
  const humanActions = ['submit', 'endorse', 'decline', 'approve', 'waitlist', 'reject', 'confirm', 'withdraw'] as const;
  test.each(REQUEST_STATUSES.map((s) => [s]))('every forbidden step on a %s request', async (status) => {
    const people: [string, Actor][] = [
      ['member', await actor(owner)],
      ['liaison', await actor(liaisonCN)],
      ['organizer', organizer],
    ];
    for (const action of humanActions) {
      for (const [role, who] of people) {
        if (role !== 'member' && status === 'draft') continue; // a draft is its author's alone: 404 for the others, checked below
        const check = planTransition(action, status, who.role);
        if (check.ok) continue;
        const r = await requestIn(status);
        await t.ctx.mailer.drained();
        const mailsBefore = t.smtp.mails.length;
        const err = await transition(who, String(r._id), action, { note: 'n', booths: [] }, new Date()).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(check.reason === 'role' ? ForbiddenError : ConflictError);
        const after = await BoothRequest.findById(r._id).lean();
        expect(after!.status).toBe(status);
        expect(after!.timeline).toHaveLength(0);
        await t.ctx.mailer.drained();
        expect(t.smtp.mails.length).toBe(mailsBefore);
        await BoothRequest.deleteOne({ _id: r._id });
      }
    }
  });

  test('strangers get 404: another company, a liaison of another member, a liaison on a draft', async () => {
    const submitted = await requestIn('submitted');
    const draft = await requestIn('draft', other);
    await expect(transition(await actor(other), String(submitted._id), 'withdraw', {}, new Date())).rejects.toBeInstanceOf(NotFoundError);
    await expect(transition(await actor(liaisonDE), String(submitted._id), 'endorse', {}, new Date())).rejects.toBeInstanceOf(NotFoundError);
    await expect(transition(await actor(liaisonCN), String(draft._id), 'endorse', {}, new Date())).rejects.toBeInstanceOf(NotFoundError);
    await expect(transition(await actor(owner), 'not-an-id', 'withdraw', {}, new Date())).rejects.toBeInstanceOf(NotFoundError);
    expect((await BoothRequest.findById(submitted._id).lean())!.status).toBe('submitted');
  });
});

describe('creating requests', () => {
  test('outside the request window: refused, nothing stored', async () => {
    t.setNow(new Date(edition.requestClosesAt.getTime() + 60_000));
    await expect(createRequest(await actor(owner), String(edition._id), FORM, t.ctx.now())).rejects.toBeInstanceOf(ConflictError);
    t.setNow(new Date(edition.requestOpensAt.getTime() - 60_000));
    await expect(createRequest(await actor(owner), String(edition._id), FORM, t.ctx.now())).rejects.toBeInstanceOf(ConflictError);
    expect(await BoothRequest.countDocuments({})).toBe(0);
  });

  test('a draft cannot be submitted once the window has closed', async () => {
    const draft = await createRequest(await actor(owner), String(edition._id), { ...FORM, intent: 'draft' }, new Date());
    const late = new Date(edition.requestClosesAt.getTime() + 1000);
    await expect(transition(await actor(owner), String(draft._id), 'submit', {}, late)).rejects.toMatchObject({ messageKey: 'fair:errors.windowClosed' });
    expect((await BoothRequest.findById(draft._id).lean())!.status).toBe('draft');
  });

  test('more booths than the quota, or unknown wished booths: field errors, nothing stored', async () => {
    const err = await createRequest(await actor(owner), String(edition._id), { ...FORM, boothCount: '4', wishedCodes: 'A01, Z99' }, new Date()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors.boothCount!.key).toBe('fair:errors.overQuota');
    expect((err as ValidationError).fieldErrors.wishedCodes!.key).toBe('fair:errors.unknownBooths');
    expect(await BoothRequest.countDocuments({})).toBe(0);
  });

  test('one active request per company and edition; a new one after withdrawal', async () => {
    const a = await actor(owner);
    const first = await createRequest(a, String(edition._id), FORM, new Date());
    await expect(createRequest(a, String(edition._id), FORM, new Date())).rejects.toMatchObject({ messageKey: 'fair:errors.alreadyActive' });
    expect(await BoothRequest.countDocuments({})).toBe(1);
    await transition(a, String(first._id), 'withdraw', { note: 'changed plans' }, new Date());
    const second = await createRequest(a, String(edition._id), FORM, new Date());
    expect(second.status).toBe('submitted');
  });

  test('liaisons and organizers cannot request booths', async () => {
    await expect(createRequest(await actor(liaisonCN), String(edition._id), FORM, new Date())).rejects.toBeInstanceOf(ForbiddenError);
    await expect(createRequest(organizer, String(edition._id), FORM, new Date())).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('allocation and the waiting list', () => {
  test('the whole path records who, when and the note on the timeline', async () => {
    const m = await actor(owner);
    const r = await createRequest(m, String(edition._id), FORM, new Date());
    await transition(await actor(liaisonCN), String(r._id), 'endorse', { note: 'Good company' }, new Date());
    const a01 = (await Booth.findOne({ edition: edition._id, code: 'A01' }).lean())!;
    await transition(organizer, String(r._id), 'approve', { booths: [String(a01._id)], note: 'Corner for you' }, new Date());
    const done = await transition(m, String(r._id), 'confirm', {}, new Date());
    expect(done.status).toBe('confirmed');
    expect(done.booths.map((b) => b.code)).toEqual(['A01']);
    expect(done.timeline.map((e) => [e.action, e.to, e.actorRole])).toEqual([
      ['create', 'draft', 'member'],
      ['submit', 'submitted', 'member'],
      ['endorse', 'endorsed', 'liaison'],
      ['approve', 'approved', 'organizer'],
      ['confirm', 'confirmed', 'member'],
    ]);
    expect(done.timeline[2]!.note).toBe('Good company');
    expect(done.timeline[3]!.booths).toEqual(['A01']);
    expect((await QuotaCounter.findOne({ edition: edition._id, member: 'CN' }).lean())!.used).toBe(1);
  });

  test('approving needs free booths of this hall, no more than asked', async () => {
    const r = await requestIn('endorsed');
    const [b1, b2] = await Booth.find({ edition: edition._id }).limit(2).lean();
    await expect(transition(organizer, String(r._id), 'approve', { booths: [] }, new Date())).rejects.toBeInstanceOf(ValidationError);
    await expect(transition(organizer, String(r._id), 'approve', { booths: [String(b1!._id), String(b2!._id)] }, new Date())).rejects.toMatchObject({ messageKey: 'validation:formHasErrors' });
    await expect(transition(organizer, String(r._id), 'approve', { booths: [String(new Types.ObjectId())] }, new Date())).rejects.toBeInstanceOf(ValidationError);
    expect(await BoothAssignment.countDocuments({})).toBe(0);
    expect((await BoothRequest.findById(r._id).lean())!.status).toBe('endorsed');
  });

  test('withdrawal after the fair has begun is refused', async () => {
    const r = await requestIn('confirmed');
    await expect(transition(await actor(owner), String(r._id), 'withdraw', {}, new Date(edition.startsOn.getTime() + 1000))).rejects.toMatchObject({ messageKey: 'fair:errors.fairStarted' });
  });

  test('a freed booth goes to the first waiting request of the same member, then of any member', async () => {
    const de = await makeUser({ role: 'member', member: 'DE' });
    const holder = await requestIn('endorsed', owner);
    const a01 = (await Booth.findOne({ edition: edition._id, code: 'A01' }).lean())!;
    await transition(organizer, String(holder._id), 'approve', { booths: [String(a01._id)] }, new Date());
    const waitingDE = await requestIn('waitlisted', de); // waiting longest, other member
    await BoothRequest.updateOne({ _id: waitingDE._id }, { $set: { waitlistedAt: new Date(Date.now() - 86_400_000) } });
    const waitingCN = await requestIn('waitlisted', other); // same member as the holder
    await t.ctx.mailer.drained();
    t.smtp.clear();
    await transition(await actor(owner), String(holder._id), 'withdraw', { note: 'cannot travel' }, new Date());
    const cn = (await BoothRequest.findById(waitingCN._id).lean())!;
    expect(cn.status).toBe('approved');
    expect(cn.booths.map((b) => b.code)).toEqual(['A01']);
    expect(cn.timeline.at(-1)!.action).toBe('offer');
    expect((await BoothRequest.findById(waitingDE._id).lean())!.status).toBe('waitlisted');
    await t.smtp.waitFor((m) => m.to.includes(other.email) && /freed booth/i.test(m.subject));
    await t.smtp.waitFor((m) => m.to.includes(liaisonCN.email) && /freed booth/i.test(m.subject));
    // Now the CN request withdraws too: the booth goes to the DE request.
    await transition(await actor(other), String(waitingCN._id), 'withdraw', {}, new Date());
    const deReq = (await BoothRequest.findById(waitingDE._id).lean())!;
    expect(deReq.status).toBe('approved');
    expect(deReq.booths.map((b) => b.code)).toEqual(['A01']);
    expect(await BoothAssignment.countDocuments({ edition: edition._id })).toBe(1);
    expect((await QuotaCounter.findOne({ edition: edition._id, member: 'CN' }).lean())!.used).toBe(0);
    expect((await QuotaCounter.findOne({ edition: edition._id, member: 'DE' }).lean())!.used).toBe(1);
  });
});

describe('start-up repair', () => {
  test('an assignment left by an interrupted write is removed and the quota counter recounted', async () => {
    const holder = await requestIn('endorsed', owner);
    const [b1, b2] = await Booth.find({ edition: edition._id }).sort({ code: 1 }).limit(2).lean();
    await transition(organizer, String(holder._id), 'approve', { booths: [String(b1!._id)] }, new Date());
    // As if an approval had claimed B and counted it, then crashed before updating its request.
    const orphan = await requestIn('endorsed', other);
    await BoothAssignment.create({ edition: edition._id, booth: b2!._id, request: orphan._id, member: 'CN', company: orphan.company, at: new Date() });
    await QuotaCounter.updateOne({ edition: edition._id, member: 'CN' }, { $inc: { used: 1 } });
    expect(await reconcileAllocations()).toEqual({ removed: 1, countersFixed: 1 });
    expect(await BoothAssignment.countDocuments({ edition: edition._id })).toBe(1);
    expect((await QuotaCounter.findOne({ edition: edition._id, member: 'CN' }).lean())!.used).toBe(1);
    expect(await reconcileAllocations()).toEqual({ removed: 0, countersFixed: 0 });
  });
});
