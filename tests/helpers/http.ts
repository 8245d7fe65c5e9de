/**
 * HTTP helpers over supertest: a cookie-keeping agent, the CSRF token of the agent's session,
 * posting a form the way a browser does, and logging in.
 */
import request from 'supertest';
import type { Express } from 'express';

export type Agent = ReturnType<typeof request.agent>;

export function newAgent(app: Express): Agent {
  return request.agent(app);
}

export function csrfFrom(html: string): string {
  const match = html.match(/name="_csrf" value="([^"]+)"/);
  if (!match) throw new Error('no _csrf field on the page');
  return match[1]!;
}

/** Reads the session's CSRF token from a page that has a form (the login page by default). */
export async function csrfToken(agent: Agent, pagePath = '/login'): Promise<string> {
  const res = await agent.get(pagePath);
  return csrfFrom(res.text);
}

/** Posts an url-encoded form with a valid CSRF token, like a browser submitting the page's form. */
export async function postForm(agent: Agent, path: string, data: Record<string, string | string[] | number | undefined>, tokenPage?: string) {
  const token = await csrfToken(agent, tokenPage);
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(data)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) body.append(k, item);
    else body.append(k, String(v));
  }
  body.set('_csrf', token);
  return agent.post(path).type('form').send(body.toString());
}

export async function login(agent: Agent, email: string, password: string): Promise<void> {
  const res = await postForm(agent, '/login', { email, password });
  if (res.status !== 303) throw new Error(`login as ${email} failed with ${res.status}`);
}

/**
 * Follows an e-mail link that asks before acting (address verification, e-mail change): opens
 * the page and presses its button. Returns the page's answer when it shows no form (a bad link).
 */
export async function confirmLink(agent: Agent, pathWithToken: string) {
  const page = await agent.get(pathWithToken);
  if (page.status !== 200) return page;
  const url = new URL(pathWithToken, 'http://portal.test');
  return agent.post(url.pathname).type('form').send({ token: url.searchParams.get('token') ?? '', _csrf: csrfFrom(page.text) });
}
