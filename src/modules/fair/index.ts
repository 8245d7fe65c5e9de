/**
 * The fair module's front door: what other modules may use of the fair editions and booth requests.
 */
export { FairEdition, Booth, BoothRequest, BoothAssignment, QuotaCounter } from './model';
export { currentEdition } from './editions';
