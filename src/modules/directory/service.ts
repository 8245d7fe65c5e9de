/**
 * The member directory: ASEM members by region with their listed companies, a member's page
 * (companies and liaison officials), and a company's public page. A composition above the modules
 * it reads through their front doors — members (reference data), accounts (companies) and messages
 * (liaisons and who may write to whom); nothing below imports it. Public fields only: e-mail
 * addresses never leave the accounts module.
 */
import { NotFoundError, type Actor, type Language } from '../../kernel';
import { listedCompaniesOf, listedCompanyCounts, publicCompany, type PublicCompany } from '../accounts';
import { listLiaisons, mayContact } from '../messages';
import { findAsemMember, listAsemMembers, type AsemMemberView } from '../members';

export const REGIONS = ['Asia', 'Europe'] as const;

export interface DirectoryRegion {
  region: (typeof REGIONS)[number];
  members: (AsemMemberView & { companies: number })[];
}

export async function listDirectory(lang: Language): Promise<DirectoryRegion[]> {
  const [members, counts] = await Promise.all([listAsemMembers(lang), listedCompanyCounts()]);
  return REGIONS.map((region) => ({
    region,
    members: members.filter((m) => m.region === region).map((m) => ({ ...m, companies: counts.get(m.code) ?? 0 })),
  }));
}

export interface LiaisonEntry {
  id: string;
  name: string;
  agency: string;
  languages: string[];
  /** The reader may start a conversation with this liaison (/messages/new?to=id). */
  canMessage: boolean;
}

export interface MemberPage {
  member: AsemMemberView;
  /** One page of the member's listed companies, by name in the reader's language. */
  companies: PublicCompany[];
  /** How many listed companies the member has in all. */
  companyTotal: number;
  liaisons: LiaisonEntry[];
}

/** Companies per page of a member's page (China has thousands). */
export const COMPANIES_PER_PAGE = 30;

export async function getMemberPage(code: string, actor: Actor | undefined, lang: Language, page: { skip: number; limit: number } = { skip: 0, limit: COMPANIES_PER_PAGE }): Promise<MemberPage> {
  const member = await findAsemMember(code);
  if (!member) throw new NotFoundError();
  const [companies, liaisons] = await Promise.all([listedCompaniesOf(member.code, { ...page, lang }), listLiaisons(member.code)]);
  return {
    member,
    companies: companies.items,
    companyTotal: companies.total,
    liaisons: liaisons.map((l) => ({
      id: l.id,
      name: l.name,
      agency: l.agency,
      languages: l.languages,
      canMessage: actor ? mayContact({ id: actor.id, role: actor.role, member: actor.member }, l) : false,
    })),
  };
}

/** A company's public page (accounts decides who may see an unlisted one). */
export async function getCompanyPage(id: string, actor: Actor | undefined): Promise<{ company: PublicCompany; member: AsemMemberView | null }> {
  const company = await publicCompany(id, actor);
  return { company, member: await findAsemMember(company.member) };
}
