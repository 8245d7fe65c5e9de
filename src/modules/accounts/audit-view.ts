/**
 * What the audit log keeps of people and companies: never password hashes or tokens.
 */
import type { CompanyDoc, UserDoc } from './model';

/** What the audit log keeps of a person. */
export function auditView(u: UserDoc): Record<string, unknown> {
  return {
    name: u.name,
    email: u.email,
    role: u.role,
    member: u.member ?? null,
    agency: u.agency ?? null,
    title: u.title ?? null,
    languages: u.languages ?? [],
    status: u.status,
    company: u.company ? String(u.company) : null,
  };
}

/** What the audit log keeps of a company's listing. */
export function companyAuditView(c: CompanyDoc): Record<string, unknown> {
  return { name: c.name, member: c.member, owner: String(c.owner), listed: Boolean(c.listed), unlisted: Boolean(c.unlisted) };
}
