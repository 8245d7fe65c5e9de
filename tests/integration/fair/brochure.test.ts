/**
 * The optional product brochure on a booth request, through the shared upload wrapper.
 */
import { FILE_STORES, createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { csrfToken, type Agent } from '../../helpers/http';
import { BoothRequest } from '../../../src/modules/fair';
import { agentFor, memberWithAgent, organizerAgent, REQUEST_FORM } from './helpers';

jest.setTimeout(60_000);


describe.each(FILE_STORES)('with files on the %s store', (store) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { FILE_STORE: store } });
  });
  afterAll(async () => {
    await t.close();
  });

  const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

  const storedFiles = () => t.ctx.files.list();

  async function postMultipart(agent: Agent, url: string, fields: Record<string, string | number>, file?: { bytes: Buffer; name: string }) {
    const token = await csrfToken(agent, '/fair/requests/new');
    let req = agent.post(`${url}?_csrf=${encodeURIComponent(token)}`);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, String(v));
    if (file) req = req.attach('brochure', file.bytes, { filename: file.name, contentType: 'application/pdf' });
    return req;
  }

  test('a brochure is stored with the request, and only the people concerned may download it', async () => {
    const { agent } = await memberWithAgent(t.app);
    const res = await postMultipart(agent, '/fair/requests/new', REQUEST_FORM, { bytes: PDF, name: '产品目录 2026.pdf' });
    expect(res.status).toBe(303);
    const id = String(res.headers.location).split('/').pop()!;
    const stored = (await BoothRequest.findById(id).lean())!;
    expect(stored.attachment).toMatchObject({ originalName: '产品目录 2026.pdf', kind: 'pdf' });
    const page = await agent.get(`/fair/requests/${id}`);
    expect(page.text).toContain('产品目录 2026.pdf');
    const dl = await agent.get(`/fair/requests/${id}/brochure`);
    expect(dl.status).toBe(200);
    expect(dl.headers['content-type']).toBe('application/pdf');
    const liaison = await agentFor(t.app, await makeUser({ role: 'liaison', member: 'CN' }));
    expect((await liaison.get(`/fair/requests/${id}/brochure`)).status).toBe(200);
    expect((await (await organizerAgent(t.app)).get(`/fair/requests/${id}/brochure`)).status).toBe(200);
    const { agent: stranger } = await memberWithAgent(t.app);
    expect((await stranger.get(`/fair/requests/${id}/brochure`)).status).toBe(404);
  });

  test('a file that is not a document is refused beside the field, with the text kept and nothing stored', async () => {
    const { user, agent } = await memberWithAgent(t.app);
    const before = (await storedFiles()).length;
    const res = await postMultipart(agent, '/fair/requests/new', { ...REQUEST_FORM, products: 'Silk scarves' }, { bytes: Buffer.from('MZ\x90\x00 not a pdf at all'), name: 'brochure.pdf' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('id="f-brochure-error"');
    expect(res.text).toContain('Silk scarves');
    expect(await BoothRequest.countDocuments({ requester: user.id })).toBe(0);
    expect((await storedFiles()).length).toBe(before);
  });

  test('a request refused for its fields leaves no brochure behind', async () => {
    const { user, agent } = await memberWithAgent(t.app);
    const before = (await storedFiles()).length;
    const res = await postMultipart(agent, '/fair/requests/new', { ...REQUEST_FORM, boothCount: 12 }, { bytes: PDF, name: 'b.pdf' });
    expect(res.status).toBe(422);
    expect(await BoothRequest.countDocuments({ requester: user.id })).toBe(0);
    expect((await storedFiles()).length).toBe(before);
  });
});
