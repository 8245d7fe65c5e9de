/**
 * The board over HTTP: seeded categories, starting threads, replies, quoting, editing and
 * deleting own posts, bad and hostile input, forged ids, search and the home section.
 */
import request from 'supertest';
import { createTestApp, type TestApp } from '../../helpers/app';
import { postForm } from '../../helpers/http';
import { BoardCategory, BoardPost, BoardThread } from '../../../src/modules/board/model';
import { boardModule } from '../../../src/modules/board/module';
import { organizer, person, replyTo, startThread, type Person } from './helpers';

// Logins hash passwords with argon2 and the machine is shared: give hooks and tests room.
jest.setTimeout(60_000);

let t: TestApp;
let alice: Person;
let bob: Person;

beforeAll(async () => {
  t = await createTestApp();
  alice = await person(t, { name: 'Alice Wang' });
  bob = await person(t, { name: 'Bob Schmidt', member: 'FR' });
});
afterAll(async () => {
  await t.close();
});

describe('categories', () => {
  test('the six categories are seeded once, in order, with both languages', async () => {
    await boardModule.onStart!(t.ctx); // a second start adds nothing
    const categories = await BoardCategory.find().sort({ position: 1 }).lean();
    expect(categories.map((c) => c.slug)).toEqual(['general', 'fair-and-hall', 'business-opportunities', 'financing', 'technology-and-innovation', 'environment-and-energy']);
    for (const c of categories) {
      expect(c.name.en && c.name['zh-CN'] && c.description.en && c.description['zh-CN']).toBeTruthy();
    }
    const en = await request(t.app).get('/board?lang=en');
    expect(en.status).toBe(200);
    expect(en.text).toContain('Business opportunities');
    expect(en.text).toContain('href="/board/financing"');
    const zh = await request(t.app).get('/board?lang=zh-CN');
    expect(zh.text).toContain('商业机会');
    expect(zh.text).toContain('留言板');
  });

  test('an unknown category is a 404 page, not a crash', async () => {
    expect((await request(t.app).get('/board/no-such-category')).status).toBe(404);
    expect((await request(t.app).get('/board/%24where')).status).toBe(404);
  });
});

describe('threads and replies', () => {
  test('a visitor can read but must log in to start a thread', async () => {
    const res = await request(t.app).get('/board/general/new');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fboard%2Fgeneral%2Fnew');
  });

  test('start a thread, reply, and see counts, order and rendered Markdown', async () => {
    const older = await startThread(alice.agent, 'general', 'Older thread about booths', 'First **booth** question');
    const newer = await startThread(alice.agent, 'general', 'Newer thread about visas', 'Visa *question*');
    let list = await request(t.app).get('/board/general');
    expect(list.text.indexOf(newer)).toBeLessThan(list.text.indexOf(older));

    const replyId = await replyTo(bob.agent, older, 'Try hall 5 — [map](https://example.org/map)');
    list = await request(t.app).get('/board/general');
    // The reply brought the older thread back to the top.
    expect(list.text.indexOf(older)).toBeLessThan(list.text.indexOf(newer));
    const thread = await BoardThread.findById(older).lean();
    expect(thread).toMatchObject({ replyCount: 1, postCount: 2, lastPosterName: 'Bob Schmidt' });

    const page = await request(t.app).get(`/board/threads/${older}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Older thread about booths');
    expect(page.text).toContain('First <strong>booth</strong> question');
    expect(page.text).toContain(`id="post-${replyId}"`);
    expect(page.text).toContain('<a href="https://example.org/map" rel="nofollow noopener noreferrer">map</a>');
    expect(page.text).toContain(`href="/board/posts/${replyId}"`);

    const overview = await request(t.app).get('/board');
    expect(overview.text).toContain('Older thread about booths');
    // The home page's board section (rendered by the home module) lists the latest threads.
    const section = await boardModule.homeSection!(t.ctx, { lang: 'en', actor: undefined });
    expect(section!.view).toBe('board/home-section');
    const latest = section!.data.boardThreads as { _id: unknown; title: string; categorySlug: string }[];
    expect(latest[0]).toMatchObject({ title: 'Older thread about booths', categorySlug: 'general' });
  });

  test('quoting a reply shows the quoted post above the form and keeps a reference to it', async () => {
    const threadId = await startThread(alice.agent, 'financing', 'Guarantee schemes', 'Which guarantee schemes work?');
    const postId = await replyTo(bob.agent, threadId, 'The EU one works.\nAsk your bank.');
    const res = await alice.agent.get(`/board/threads/${threadId}/reply?quote=${postId}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Bob Schmidt wrote:');
    expect(res.text).toContain('<p>The EU one works.<br />Ask your bank.</p>');
    expect(res.text).toContain(`name="quote" value="${postId}"`);
    const zh = await alice.agent.get(`/board/threads/${threadId}/reply?quote=${postId}&lang=zh-CN`);
    expect(zh.text).toContain('Bob Schmidt 写道：');
    await alice.agent.get('/board?lang=en');
    // An empty reply keeps the quote on the form shown again.
    const invalid = await postForm(alice.agent, `/board/threads/${threadId}/reply`, { body: '', quote: postId }, `/board/threads/${threadId}`);
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain(`name="quote" value="${postId}"`);
    const res2 = await postForm(alice.agent, `/board/threads/${threadId}/reply`, { body: 'Thanks, Bob.', quote: postId }, `/board/threads/${threadId}`);
    expect(res2.status).toBe(303);
    const reply = await BoardPost.findOne({ thread: threadId, body: 'Thanks, Bob.' }).lean();
    expect(String(reply!.quote)).toBe(postId);
    const page = await alice.agent.get(`/board/threads/${threadId}`);
    expect(page.text).toMatch(/<blockquote class="board-quote">[\s\S]*Bob Schmidt wrote:[\s\S]*The EU one works\.[\s\S]*<\/blockquote>\s*<p>Thanks, Bob\.<\/p>/);
  });

  test('edit own post: marked edited; the opening post also changes the title; others get 404', async () => {
    const threadId = await startThread(alice.agent, 'general', 'Typo in titel', 'Body one');
    const opening = await BoardPost.findOne({ thread: threadId, number: 1 }).lean();
    const edit = await postForm(alice.agent, `/board/posts/${opening!._id}/edit`, { title: 'Typo in title', body: 'Body one, corrected' }, `/board/posts/${opening!._id}/edit`);
    expect(edit.status).toBe(303);
    const page = await request(t.app).get(`/board/threads/${threadId}`);
    expect(page.text).toContain('Typo in title');
    expect(page.text).toContain('Body one, corrected');
    expect(page.text).toMatch(/edited /);
    expect((await BoardPost.findById(opening!._id).lean())!.editedAt).toBeInstanceOf(Date);

    expect((await bob.agent.get(`/board/posts/${opening!._id}/edit`)).status).toBe(404);
    const forged = await postForm(bob.agent, `/board/posts/${opening!._id}/edit`, { title: 'Hacked', body: 'Hacked' }, '/board');
    expect(forged.status).toBe(404);
    expect((await BoardPost.findById(opening!._id).lean())!.body).toBe('Body one, corrected');
  });

  test('delete own post: the text goes, its place stays with a note', async () => {
    const threadId = await startThread(alice.agent, 'general', 'Delete test', 'Opening');
    const postId = await replyTo(bob.agent, threadId, 'Something I regret');
    await replyTo(alice.agent, threadId, 'A later reply');
    expect((await postForm(alice.agent, `/board/posts/${postId}/delete`, {}, '/board')).status).toBe(404);
    const confirm = await bob.agent.get(`/board/posts/${postId}/delete`);
    expect(confirm.status).toBe(200);
    const res = await postForm(bob.agent, `/board/posts/${postId}/delete`, {}, `/board/posts/${postId}/delete`);
    expect(res.status).toBe(303);
    const stored = await BoardPost.findById(postId).lean();
    expect(stored).toMatchObject({ body: '', html: '', number: 2 });
    expect(stored!.deletedAt).toBeInstanceOf(Date);
    const page = await request(t.app).get(`/board/threads/${threadId}`);
    expect(page.text).not.toContain('Something I regret');
    expect(page.text).toContain('This post was deleted by its author');
    expect(page.text.indexOf(`post-${postId}`)).toBeLessThan(page.text.indexOf('A later reply'));
  });
});

describe('bad input', () => {
  test('empty and oversized fields are refused beside the field, input kept, nothing stored', async () => {
    const before = await BoardThread.countDocuments();
    const empty = await postForm(alice.agent, '/board/general/new', { title: '  ', body: 'kept body text' }, '/board/general/new');
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('id="f-title-error"');
    expect(empty.text).toContain('kept body text');
    const longTitle = await postForm(alice.agent, '/board/general/new', { title: 'x'.repeat(201), body: 'ok' }, '/board/general/new');
    expect(longTitle.status).toBe(422);
    expect(longTitle.text).toContain('id="f-title-error"');
    const longBody = await postForm(alice.agent, '/board/general/new', { title: 'ok', body: 'y'.repeat(20_001) }, '/board/general/new');
    expect(longBody.status).toBe(422);
    expect(longBody.text).toContain('id="f-body-error"');
    expect(await BoardThread.countDocuments()).toBe(before);

    const threadId = await startThread(alice.agent, 'general', 'Reply validation', 'x');
    const posts = await BoardPost.countDocuments({ thread: threadId });
    const emptyReply = await postForm(bob.agent, `/board/threads/${threadId}/reply`, { body: '' }, `/board/threads/${threadId}`);
    expect(emptyReply.status).toBe(422);
    expect(emptyReply.text).toContain('id="f-body-error"');
    expect(await BoardPost.countDocuments({ thread: threadId })).toBe(posts);
    expect((await BoardThread.findById(threadId).lean())!.replyCount).toBe(0);
  });

  test('hostile Markdown is neutralised; a post of nothing but script is refused', async () => {
    const threadId = await startThread(
      alice.agent,
      'general',
      '<script>alert("title")</script> Title',
      'Hello <script>alert(1)</script><img src=x onerror="alert(2)"> [click](javascript:alert(3)) <iframe src="https://evil.example"></iframe> <a href="https://ok.example" onclick="alert(4)">ok</a>',
    );
    const post = await BoardPost.findOne({ thread: threadId, number: 1 }).lean();
    expect(post!.html).not.toMatch(/<script|onerror|javascript:|<iframe|onclick/i);
    const page = await request(t.app).get(`/board/threads/${threadId}`);
    expect(page.text).not.toMatch(/<script>alert|onerror=|javascript:alert|<iframe|onclick=/);
    expect(page.text).toContain('&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; Title');

    const before = await BoardThread.countDocuments();
    const onlyScript = await postForm(alice.agent, '/board/general/new', { title: 'Script only', body: '<script>alert(1)</script>' }, '/board/general/new');
    expect(onlyScript.status).toBe(422);
    expect(onlyScript.text).toContain('Nothing would be left of this message');
    expect(await BoardThread.countDocuments()).toBe(before);
  });

  test('forged and unknown ids are 404s', async () => {
    for (const path of ['/board/threads/nope', '/board/threads/0123456789abcdef01234567', '/board/posts/nope', '/board/posts/0123456789abcdef01234567']) {
      expect((await request(t.app).get(path)).status).toBe(404);
    }
    expect((await postForm(bob.agent, '/board/threads/0123456789abcdef01234567/reply', { body: 'hi' }, '/board')).status).toBe(404);
    expect((await postForm(bob.agent, '/board/posts/0123456789abcdef01234567/report', { reason: 'spam' }, '/board')).status).toBe(404);
  });
});

describe('search', () => {
  test('finds thread titles and posts in English and Chinese, ranked and linked to the post', async () => {
    const solar = await startThread(alice.agent, 'environment-and-energy', 'Solar panels for factories', 'Who installs rooftop panels?');
    const replyId = await replyTo(bob.agent, solar, 'We financed our solar installation with a green loan.');
    const zh = await startThread(bob.agent, 'financing', '中小企业融资渠道', '请问有哪些银行提供中小企业贷款？');

    const en = await request(t.app).get('/board/search?q=solar+installation');
    expect(en.status).toBe(200);
    // The reply matches both words, so it ranks first.
    expect(en.text.indexOf(`/board/posts/${replyId}`)).toBeGreaterThan(-1);
    const firstHit = /href="\/board\/posts\/([a-f0-9]{24})"/.exec(en.text.slice(en.text.indexOf('board-results')));
    expect(firstHit![1]).toBe(replyId);
    expect(en.text).toContain('Solar panels for factories');

    const chinese = await request(t.app).get(`/board/search?q=${encodeURIComponent('融资')}`);
    expect(chinese.text).toContain('中小企业融资渠道');
    expect(chinese.text).not.toContain('Solar panels');
    const opening = await BoardPost.findOne({ thread: zh, number: 1 }).lean();
    expect(chinese.text).toContain(`/board/posts/${opening!._id}`);

    const redirect = await request(t.app).get(`/board/posts/${replyId}`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe(`/board/threads/${solar}#post-${replyId}`);

    const nothing = await request(t.app).get('/board/search?q=the');
    expect(nothing.status).toBe(200);
    expect(nothing.text).toContain('Type a word or two');
  });

  test('the organizer is not needed for any of this', async () => {
    // Sanity: an organizer session works too and sees the moderation panel.
    const org = await organizer(t);
    const threadId = await startThread(alice.agent, 'general', 'Panel check', 'x');
    const res = await org.get(`/board/threads/${threadId}`);
    expect(res.text).toContain('Moderation');
    const plain = await alice.agent.get(`/board/threads/${threadId}`);
    expect(plain.text).not.toContain('moderation-heading');
  });
});

describe('both languages', () => {
  test('every board page renders in English and in Chinese (keys are checked in tests/unit/board/catalogue.test.ts)', async () => {
    const threadId = await startThread(alice.agent, 'general', 'Language check', 'Body');
    const postId = await replyTo(bob.agent, threadId, 'Reply');
    await postForm(bob.agent, `/board/posts/${postId}/report`, { reason: 'check' }, `/board/posts/${postId}/report`);
    const org = await organizer(t);
    const category = await BoardCategory.findOne({ slug: 'general' }).lean();
    const pages: [typeof org, string][] = [
      [alice.agent, '/board'],
      [alice.agent, '/board/general'],
      [alice.agent, '/board/general/new'],
      [alice.agent, `/board/threads/${threadId}`],
      [alice.agent, `/board/threads/${threadId}/reply?quote=${postId}`],
      [alice.agent, `/board/posts/${postId}/report`],
      [bob.agent, `/board/posts/${postId}/edit`],
      [bob.agent, `/board/posts/${postId}/delete`],
      [alice.agent, '/board/search?q=language'],
      [org, `/board/threads/${threadId}`],
      [org, `/board/threads/${threadId}/hide`],
      [org, `/board/posts/${postId}/hide`],
      [org, '/admin/board/categories'],
      [org, '/admin/board/categories/new'],
      [org, `/admin/board/categories/${category!._id}/edit`],
      [org, '/admin/board/reports'],
    ];
    for (const lang of ['en', 'zh-CN']) {
      for (const [agent, path] of pages) {
        const res = await agent.get(`${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
        expect([path, res.status]).toEqual([path, 200]);
        expect(res.text).toContain(`<html lang="${lang}">`);
      }
    }
    await alice.agent.get('/board?lang=en');
    await bob.agent.get('/board?lang=en');
  });
});
