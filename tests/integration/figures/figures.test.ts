/**
 * /admin/figures: organizer only; the numbers in each chart's data table and CSV agree with counts
 * computed another way (straight from the collections), and leave out suspended accounts and
 * officials; the date range filters; every chart has a title, a description and a table twin.
 */
import { ORGANIZER, createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { login, newAgent, type Agent } from '../../helpers/http';
import { Company, User } from '../../../src/modules/accounts/model';
import { AsemMember } from '../../../src/modules/members/model';

jest.setTimeout(60_000);

function cell(html: string, category: string, series: string): number {
  const row = new RegExp(`<tr data-category="${category}">([\\s\\S]*?)</tr>`).exec(html);
  if (!row) return 0;
  const m = new RegExp(`<td data-series="${series}">(\\d+)</td>`).exec(row[1]!);
  return m ? Number(m[1]) : 0;
}

describe('figures', () => {
  let t: TestApp;
  let organizer: Agent;

  beforeAll(async () => {
    t = await createTestApp();
    organizer = newAgent(t.app);
    await login(organizer, ORGANIZER.email, ORGANIZER.password);
    await makeUser({ role: 'member', member: 'MY', createdAt: new Date('2026-01-10T00:00:00Z'), company: { sector: 'manufacturing' } as never });
    await makeUser({ role: 'member', member: 'CN', createdAt: new Date('2026-01-20T00:00:00Z') });
    await makeUser({ role: 'member', member: 'DE', createdAt: new Date('2026-01-25T00:00:00Z') });
    await makeUser({ role: 'member', member: 'FR', createdAt: new Date('2026-03-02T00:00:00Z') });
    await makeUser({ role: 'member', member: 'DE', createdAt: new Date('2026-01-12T00:00:00Z'), status: 'suspended' });
    await makeUser({ role: 'liaison', member: 'DE', company: false, createdAt: new Date('2026-01-15T00:00:00Z') });
  });
  afterAll(async () => {
    await t.close();
  });

  it('is 403 to everyone but the organizer', async () => {
    const m = await makeUser({ role: 'member', member: 'IT', createdAt: new Date('2020-01-01T00:00:00Z') });
    const agent = newAgent(t.app);
    await login(agent, m.email, m.password);
    expect((await agent.get('/admin/figures')).status).toBe(403);
    expect((await newAgent(t.app).get('/admin/figures')).status).toBe(303);
    await User.updateOne({ email: m.email }, { $set: { status: 'suspended' } });
  });

  it('registrations per month agree with a direct count, without suspended accounts or officials', async () => {
    const res = await organizer.get('/admin/figures');
    expect(res.status).toBe(200);
    // Counted another way: active member accounts with a company, by the region of their member, per month.
    const regions = new Map((await AsemMember.find({}, { code: 1, region: 1 }).lean()).map((m) => [m.code, m.region]));
    const users = (await User.find({ role: 'member', status: 'active' }).lean()).filter((u) => u.company);
    for (const month of ['2026-01', '2026-02', '2026-03']) {
      for (const region of ['Asia', 'Europe']) {
        const expected = users.filter((u) => u.createdAt.toISOString().startsWith(month) && regions.get(u.member!) === region).length;
        expect(cell(res.text, month, region)).toBe(expected);
      }
    }
    expect(cell(res.text, '2026-01', 'Asia')).toBe(2); // MY, CN
    expect(cell(res.text, '2026-01', 'Europe')).toBe(1); // DE (the suspended one and the liaison left out)
    expect(cell(res.text, '2026-02', 'Europe')).toBe(0);
    expect(res.text).toMatch(/Asia–Europe balance: Asia 2 \(50 %\), Europe 2 \(50 %\)/);

    // Companies: a direct count of companies whose owner is an active member account.
    const owners = users.map((u) => u._id);
    const ownerIds = new Set(owners.map(String));
    const companies = (await Company.find({}).lean()).filter((c) => ownerIds.has(String(c.owner)));
    const sectors = new Set(companies.map((c) => c.sector as string));
    for (const sector of sectors) {
      const asia = companies.filter((c) => c.sector === sector && regions.get(c.member) === 'Asia').length;
      expect(cell(res.text, sector, 'Asia')).toBe(asia);
    }

    // Every chart: a title, a description and a table twin; an SVG naming both.
    for (const id of ['registrations', 'companies', 'booths', 'practices', 'board', 'mail']) {
      expect(res.text).toContain(`id="h-${id}"`);
      expect(res.text).toContain(`href="/admin/figures/${id}.csv"`);
    }
    expect(res.text).toContain('aria-labelledby="st-registrations sd-registrations"');
  });

  it('filters by date range, and the CSV (with BOM) has each member', async () => {
    const res = await organizer.get('/admin/figures?from=2026-03-01&to=2026-03-31');
    expect(cell(res.text, '2026-01', 'Asia')).toBe(0);
    expect(cell(res.text, '2026-03', 'Europe')).toBe(1);
    const csv = await organizer.get('/admin/figures/registrations.csv?from=2026-01-01&to=2026-01-31');
    expect(csv.status).toBe(200);
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.text.slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('member,region,month,count');
    expect(lines.slice(1).sort()).toEqual(['CN,Asia,2026-01,1', 'DE,Europe,2026-01,1', 'MY,Asia,2026-01,1']);
    expect((await organizer.get('/admin/figures?from=2026-13-45')).status).toBe(400);
    expect((await organizer.get('/admin/figures/nothing.csv')).status).toBe(404);
  });
});
