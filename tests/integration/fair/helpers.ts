/**
 * Shared steps for the fair's HTTP tests: logged-in agents per role and the current edition.
 */
import type { Express } from 'express';
import { ORGANIZER } from '../../helpers/app';
import { makeUser, type MadeUser } from '../../helpers/factories';
import { login, newAgent, postForm, type Agent } from '../../helpers/http';
import { FairEdition, Booth } from '../../../src/modules/fair';
import type { FairEditionDoc } from '../../../src/modules/fair/model';
import type { Types } from 'mongoose';

export async function agentFor(app: Express, user: { email: string; password: string }): Promise<Agent> {
  const agent = newAgent(app);
  await login(agent, user.email, user.password);
  return agent;
}

export async function organizerAgent(app: Express): Promise<Agent> {
  return agentFor(app, ORGANIZER);
}

export async function seededEdition(): Promise<FairEditionDoc> {
  const e = await FairEdition.findOne({ code: /^cismef-/ }).lean<FairEditionDoc>();
  if (!e) throw new Error('no seeded edition');
  return e;
}

export async function boothId(editionId: Types.ObjectId, code: string): Promise<string> {
  const b = await Booth.findOne({ edition: editionId, code }).lean();
  if (!b) throw new Error(`no booth ${code}`);
  return String(b._id);
}

export const REQUEST_FORM = {
  contactName: 'Li Wei',
  phone: '+86 20 1234 5678',
  products: 'Bamboo furniture and textiles',
  boothCount: 1,
  wishedCodes: 'A01',
  specialNeeds: 'Power for a display',
  intent: 'submit',
};

/** A member submits a request through the form; returns its id. */
export async function submitRequest(agent: Agent, data: Record<string, string | number> = {}): Promise<string> {
  const res = await postForm(agent, '/fair/requests/new', { ...REQUEST_FORM, ...data }, '/fair/requests/new');
  if (res.status !== 303) throw new Error(`request form answered ${res.status}: ${res.text.slice(0, 2000)}`);
  return String(res.headers.location).split('/').pop()!;
}

export async function memberWithAgent(app: Express, opts: Parameters<typeof makeUser>[0] = {}): Promise<{ user: MadeUser; agent: Agent }> {
  const user = await makeUser({ role: 'member', member: 'CN', ...opts });
  return { user, agent: await agentFor(app, user) };
}
