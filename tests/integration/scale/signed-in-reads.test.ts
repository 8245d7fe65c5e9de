/**
 * A signed-in page costs at most one session read and one user read: the session store is asked
 * once and the account once, whatever the page — the header, the badges, the partner suggestions
 * (which leave suspended accounts out) and the page itself reuse what the request or the process
 * already read. Pages whose content is a list of accounts (/admin/users) are not in the list.
 * Counted through the driver's command monitoring; not timed.
 */
import mongoose from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { createTestApp, ORGANIZER, type TestApp } from '../../helpers/app';
import { testDbUri } from '../../helpers/db';
import { login, newAgent, type Agent } from '../../helpers/http';
import { makeUser } from '../../helpers/factories';

let t: TestApp;
const agents: Record<string, Agent> = {};

beforeAll(async () => {
  const uri = new URL(testDbUri('signedin'));
  uri.searchParams.set('monitorCommands', 'true');
  t = await createTestApp({ dbUri: uri.toString() });
  const member = await makeUser({ member: 'DE', company: { name: 'Reads Counted GmbH' } });
  const liaison = await makeUser({ role: 'liaison', member: 'DE' });
  agents.organizer = newAgent(t.app);
  await login(agents.organizer, ORGANIZER.email, ORGANIZER.password);
  agents.member = newAgent(t.app);
  await login(agents.member, member.email, member.password);
  agents.liaison = newAgent(t.app);
  await login(agents.liaison, liaison.email, liaison.password);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

/** The commands a request sends, per collection ("find users"). */
async function commandsOf(agent: Agent, pagePath: string): Promise<{ status: number; commands: string[] }> {
  const seen: string[] = [];
  const onCommand = (e: CommandStartedEvent) => {
    const target = e.commandName === 'getMore' ? (e.command.collection as unknown) : (e.command[e.commandName] as unknown);
    if (typeof target === 'string') seen.push(`${e.commandName} ${target}`);
  };
  const client = mongoose.connection.getClient();
  client.on('commandStarted', onCommand);
  try {
    const res = await agent.get(pagePath);
    return { status: res.status, commands: seen };
  } finally {
    client.off('commandStarted', onCommand);
  }
}

const PAGES: [string, string][] = [
  ['member', '/'],
  ['member', '/account'],
  ['member', '/messages'],
  ['member', '/desk'],
  ['member', '/fair'],
  ['member', '/board'],
  ['member', '/practices'],
  ['liaison', '/liaison/requests'],
  ['organizer', '/desk'],
];

test.each(PAGES)('a signed-in page (%s, %s) reads the session once and the user once', async (who, pagePath) => {
  const agent = agents[who]!;
  await agent.get(pagePath); // the first visit may warm caches
  const { status, commands } = await commandsOf(agent, pagePath);
  expect(status).toBe(200);
  const on = (collection: string) => commands.filter((c) => c.endsWith(` ${collection}`));
  expect({ page: pagePath, sessions: on('sessions') }).toEqual({ page: pagePath, sessions: ['find sessions'] });
  expect({ page: pagePath, users: on('users') }).toEqual({ page: pagePath, users: ['find users'] });
});
