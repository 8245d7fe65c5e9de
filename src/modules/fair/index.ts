/**
 * The fair module's front door: what other modules (and the test set-up) may use of the fair
 * editions and booth requests.
 */
export { FairEdition, Booth, BoothRequest, BoothAssignment, QuotaCounter, type FairEditionDoc, type BoothDoc, type BoothRequestDoc, type RequestStatus } from './model';
export { currentEdition, findEdition, listEditions } from './editions';
export { outcomesPerMember, type OutcomeFigureRow } from './outcomes';
export { listBooths } from './booths';
export { exhibitorsOf, type Exhibitor } from './exhibitors';
