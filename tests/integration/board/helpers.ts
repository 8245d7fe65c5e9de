/**
 * Shared steps for the board's HTTP tests: logging in as a new user, starting a thread, replying.
 */
import type { TestApp } from '../../helpers/app';
import { ORGANIZER } from '../../helpers/app';
import { makeUser, type MadeUser } from '../../helpers/factories';
import { login, newAgent, postForm, type Agent } from '../../helpers/http';

export interface Person {
  user: MadeUser;
  agent: Agent;
}

export async function person(t: TestApp, opts: Parameters<typeof makeUser>[0] = {}): Promise<Person> {
  const user = await makeUser({ createdAt: new Date('2026-01-01T00:00:00Z'), ...opts });
  const agent = newAgent(t.app);
  await login(agent, user.email, user.password);
  return { user, agent };
}

export async function organizer(t: TestApp): Promise<Agent> {
  const agent = newAgent(t.app);
  await login(agent, ORGANIZER.email, ORGANIZER.password);
  return agent;
}

/** Starts a thread over HTTP and returns its id. */
export async function startThread(agent: Agent, category: string, title: string, body: string): Promise<string> {
  const res = await postForm(agent, `/board/${category}/new`, { title, body }, `/board/${category}/new`);
  if (res.status !== 303) throw new Error(`starting a thread failed with ${res.status}: ${res.text.slice(0, 500)}`);
  const match = /\/board\/threads\/([a-f0-9]{24})/.exec(res.headers.location ?? '');
  if (!match) throw new Error(`unexpected redirect ${res.headers.location}`);
  return match[1]!;
}

/** Replies over HTTP and returns the new post's id (from the redirect's #post- anchor). */
export async function replyTo(agent: Agent, threadId: string, body: string): Promise<string> {
  const res = await postForm(agent, `/board/threads/${threadId}/reply`, { body }, `/board/threads/${threadId}`);
  if (res.status !== 303) throw new Error(`reply failed with ${res.status}: ${res.text.slice(0, 500)}`);
  const match = /#post-([a-f0-9]{24})$/.exec(res.headers.location ?? '');
  if (!match) throw new Error(`unexpected redirect ${res.headers.location}`);
  return match[1]!;
}
