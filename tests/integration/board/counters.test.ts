/**
 * Thread counters after a crash: the counters are corrupted straight in the database (as a kill -9
 * between a reply's two writes leaves them), start-up repairs them from the posts, a second run
 * changes nothing, and hiding a post keeps the reply count to what readers see.
 */
import { Types } from 'mongoose';
import { createTestApp, type TestApp } from '../../helpers/app';
import { postForm, type Agent } from '../../helpers/http';
import { BoardPost, BoardThread } from '../../../src/modules/board/model';
import { boardModule } from '../../../src/modules/board/module';
import { repairThreadCounters } from '../../../src/modules/board/counters';
import { organizer, person, replyTo, startThread, type Person } from './helpers';

jest.setTimeout(60_000);

let t: TestApp;
let org: Agent;
let alice: Person;

beforeAll(async () => {
  t = await createTestApp();
  org = await organizer(t);
  alice = await person(t, { name: 'Alice Counter' });
});
afterAll(async () => {
  await t.close();
});

const countersOf = async (id: string) => {
  const thread = await BoardThread.findById(id, { postCount: 1, replyCount: 1 }).lean();
  return { postCount: thread!.postCount, replyCount: thread!.replyCount };
};

test('start-up repairs drifted thread counters from the posts, and a second run changes nothing', async () => {
  const a = await startThread(alice.agent, 'general', 'Counter thread A', 'Opening A');
  for (const n of [1, 2, 3]) await replyTo(alice.agent, a, `Reply A${n}`);
  const b = await startThread(alice.agent, 'general', 'Counter thread B', 'Opening B');
  await replyTo(alice.agent, b, 'Reply B1');
  const c = await startThread(alice.agent, 'general', 'Counter thread C (untouched)', 'Opening C');
  expect(await countersOf(a)).toEqual({ postCount: 4, replyCount: 3 });

  // A: the counter was saved, the reply was not (a crash between the two writes).
  await BoardThread.collection.updateOne({ _id: new Types.ObjectId(a) }, { $inc: { postCount: 1, replyCount: 1 } });
  // B: counters nowhere near the truth.
  await BoardThread.collection.updateOne({ _id: new Types.ObjectId(b) }, { $set: { postCount: 546, replyCount: -3 } });
  // An empty thread from long ago (its opening post never written) goes; a fresh one stays for now.
  const orphan = await BoardThread.collection.insertOne({ ...(await BoardThread.findById(c).lean())!, _id: new Types.ObjectId(), createdAt: new Date('2020-01-01T00:00:00Z'), title: 'Orphan' });

  await boardModule.onStart!(t.ctx);
  expect(await countersOf(a)).toEqual({ postCount: 4, replyCount: 3 });
  expect(await countersOf(b)).toEqual({ postCount: 2, replyCount: 1 });
  expect(await countersOf(c)).toEqual({ postCount: 1, replyCount: 0 });
  expect(await BoardThread.exists({ _id: orphan.insertedId })).toBeNull();

  // Idempotent: nothing left to change.
  expect(await repairThreadCounters(t.ctx.now)).toEqual({ repaired: 0, removed: 0 });
  // The next reply takes the place after the last stored post.
  const next = await replyTo(alice.agent, a, 'Reply after the repair');
  expect((await BoardPost.findById(next).lean())!.number).toBe(5);
  expect(await countersOf(a)).toEqual({ postCount: 5, replyCount: 4 });
});

test('the reply count follows what readers see when a post is hidden and restored', async () => {
  const id = await startThread(alice.agent, 'general', 'Counter hiding', 'Opening');
  const first = await replyTo(alice.agent, id, 'One');
  await replyTo(alice.agent, id, 'Two');
  expect((await postForm(org, `/board/posts/${first}/hide`, { reason: 'Spam' }, `/board/posts/${first}/hide`)).status).toBe(303);
  expect(await countersOf(id)).toEqual({ postCount: 3, replyCount: 1 });
  expect((await postForm(org, `/board/posts/${first}/restore`, {}, '/board')).status).toBe(303);
  expect(await countersOf(id)).toEqual({ postCount: 3, replyCount: 2 });
});
