/**
 * The accounts module's front door: who people are. Other modules ask here whom to notify or show
 * (never the users collection), sign-in plumbing for the app, and the organizer's account work.
 */
export { SECTORS, COMPANY_SIZES } from './model';
export {
  COOPERATION_TYPES,
  companiesOverlapping,
  companyContactDetails,
  companyLogo,
  companyMembers,
  ownPartnerProfile,
  partnerCompany,
  partnerCompanyParty,
  partnerProfileOfOwner,
  refreshStaleCompanyTerms,
  savePartnerProfile,
  searchPartnerCompanies,
  visibleCompanyIds,
  COMPANY_TERMS_VERSION,
  termsOf as companySearchTerms,
  type CompanyFacets,
  type CompanySearch,
  type CooperationType,
  type FacetCount,
  type PartnerCompany,
  type PartnerProfileInput,
} from './partner-profile';
export { passwordProblem } from './passwords';
export { INVITATIONS_PER_PAGE } from './invitations';
export { configurePassport, toActor, hashPassword, verifyPassword } from './auth';
export {
  ACTIVE_AND_VERIFIED,
  reachablePeople,
  reachablePerson,
  reachableActors,
  liaisonsOf,
  liaisonPage,
  organizers,
  searchPeople,
  publicProfiles,
  emailAddresses,
  accountStatus,
  listedCompanyCounts,
  listedCompaniesOf,
  publicCompany,
  ownCompany,
  companyNames,
  type Person,
  type PeopleGroup,
  type PublicProfile,
  type PublicCompany,
} from './people';
export {
  createAccountAdministration,
  liaisonCountsByMember,
  type AccountAdministration,
  type AdministrationDeps,
  type DashboardFigures,
  type UserSearch,
  type UserRow,
  type UserDetail,
  type LiaisonDesignation,
} from './administration';
export { registrationsPerMemberMonth, companiesPerMemberSector, suspendedAccountIds, type DateRange } from './figures';
/** The models themselves, only for tools that fill a database in bulk (src/demo) and their tests. */
export { User, Company, type UserDoc, type CompanyDoc } from './model';
