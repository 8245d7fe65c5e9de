/**
 * Rendered Markdown is stored with the renderer version; at start-up the board and the practices
 * re-render what an older renderer made, so a sanitiser change reaches old content. Old content
 * here is an image that fired a same-site GET (`<img src="/logout">`), as the old renderer made it.
 */
import mongoose from 'mongoose';
import { createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { login, newAgent } from '../../helpers/http';
import { startThread } from '../board/helpers';
import { GOOD_PRACTICE, idFromLocation, postPractice } from '../practices/helpers';
import { BoardPost } from '../../../src/modules/board/model';
import { boardModule } from '../../../src/modules/board/module';
import { Practice } from '../../../src/modules/practices/model';
import { practicesModule } from '../../../src/modules/practices/module';
import { MARKDOWN_VERSION } from '../../../src/web/markdown';

jest.setTimeout(60_000);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

test('new posts and practices carry the current version; stale ones are re-rendered at start-up', async () => {
  const user = await makeUser({ role: 'member', member: 'DE', createdAt: new Date('2026-01-01T00:00:00Z') });
  const agent = newAgent(t.app);
  await login(agent, user.email, user.password);
  const threadId = await startThread(agent, 'technology-and-innovation', 'Pictures', '![i](/logout) and **text**');
  const practiceId = idFromLocation((await postPractice(agent, '/practices/new', { ...GOOD_PRACTICE, body: '![i](/logout) body' })).headers.location);

  const post = await BoardPost.findOne({ thread: threadId }).lean();
  expect(post!.htmlVersion).toBe(MARKDOWN_VERSION);
  expect(post!.html).not.toContain('<img');
  const practice = await Practice.findById(practiceId).lean();
  expect(practice!.bodyHtmlVersion).toBe(MARKDOWN_VERSION);
  expect(practice!.bodyHtml).not.toContain('<img');

  // What the old renderers stored: the HTML with the image, and no version at all.
  const db = mongoose.connection.db!;
  await db.collection(BoardPost.collection.collectionName).updateOne({ _id: post!._id }, { $set: { html: '<p><img src="/logout" alt="i" /></p>' }, $unset: { htmlVersion: '' } });
  await db.collection(Practice.collection.collectionName).updateOne({ _id: practice!._id }, { $set: { bodyHtml: '<p><img src="/logout" alt="i" /></p>', bodyHtmlVersion: 1 } });
  expect((await agent.get(`/board/threads/${threadId}`)).text).toContain('<img src="/logout"');

  await boardModule.onStart!(t.ctx);
  await practicesModule.onStart!(t.ctx);

  const rerendered = await BoardPost.findById(post!._id).lean();
  expect(rerendered!.htmlVersion).toBe(MARKDOWN_VERSION);
  expect(rerendered!.html).toBe(post!.html);
  const rerenderedPractice = await Practice.findById(practiceId).lean();
  expect(rerenderedPractice!.bodyHtmlVersion).toBe(MARKDOWN_VERSION);
  expect(rerenderedPractice!.bodyHtml).toBe(practice!.bodyHtml);
  expect((await agent.get(`/board/threads/${threadId}`)).text).not.toContain('<img src="/logout"');
  expect((await agent.get(`/practices/${practiceId}`)).text).not.toContain('<img src="/logout"');
});
