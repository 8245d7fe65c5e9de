/**
 * The partners service, built once at start-up with its dependencies; every method takes the
 * actor first.
 */
import type { Actor, Clock } from '../../kernel';
import type { FileStore } from '../../web/files';
import type { Mailer } from '../../web/mail';
import type { UploadedFile } from '../../web/uploads';
import {
  acceptContactRequest,
  blockSender,
  countPendingRequests,
  declineContactRequest,
  expireContactRequests,
  listContactRequests,
  reportContactRequest,
  sendContactRequest,
  type SendInput,
} from './contacts';
import type { CloseReason } from './model';
import {
  closeOpportunity,
  createOpportunity,
  dismissReports,
  hideOpportunity,
  renewOpportunity,
  reportOpportunity,
  restoreOpportunity,
  sendExpiryNotices,
  updateOpportunity,
  type OpportunityInput,
} from './opportunities';
import { sendDueDigests, setDigest, suggestionsFor, unsubscribeDigestByToken } from './suggestions';

export interface PartnersDeps {
  mailer: Mailer;
  clock: Clock;
  baseUrl: string;
  files: FileStore;
  secret: string;
}

export function createPartnersService(deps: PartnersDeps) {
  return {
    now: () => deps.clock(),
    sendContactRequest: (actor: Actor | undefined, input: SendInput) => sendContactRequest(deps, actor, input),
    acceptContactRequest: (actor: Actor | undefined, id: unknown) => acceptContactRequest(deps, actor, id),
    declineContactRequest: (actor: Actor | undefined, id: unknown, reason: string) => declineContactRequest(deps, actor, id, reason),
    blockSender: (actor: Actor | undefined, id: unknown) => blockSender(deps, actor, id),
    reportContactRequest: (actor: Actor | undefined, id: unknown, reason: string) => reportContactRequest(deps, actor, id, reason),
    listContactRequests: (actor: Actor | undefined) => listContactRequests(actor, deps.clock()),
    countPendingRequests: (actor: Actor) => countPendingRequests(actor, deps.clock()),
    createOpportunity: (actor: Actor | undefined, input: OpportunityInput, files: UploadedFile[]) => createOpportunity(deps, actor, input, files),
    updateOpportunity: (actor: Actor | undefined, id: unknown, input: OpportunityInput, files: UploadedFile[]) => updateOpportunity(deps, actor, id, input, files),
    closeOpportunity: (actor: Actor | undefined, id: unknown, reason: CloseReason) => closeOpportunity(deps, actor, id, reason),
    renewOpportunity: (actor: Actor | undefined, id: unknown, expiresOn: string) => renewOpportunity(deps, actor, id, expiresOn),
    reportOpportunity: (actor: Actor | undefined, id: unknown, reason: string) => reportOpportunity(deps, actor, id, reason),
    hideOpportunity: (actor: Actor | undefined, id: unknown, reason: string) => hideOpportunity(deps, actor, id, reason),
    restoreOpportunity: (actor: Actor | undefined, id: unknown, reason: string) => restoreOpportunity(deps, actor, id, reason),
    dismissReports: (actor: Actor | undefined, reportId: unknown) => dismissReports(deps, actor, reportId),
    suggestionsFor: (actor: Actor) => suggestionsFor(actor, deps.clock()),
    setDigest: (actor: Actor, enabled: boolean) => setDigest(actor, enabled, deps.clock()),
    unsubscribeDigestByToken: (token: unknown) => unsubscribeDigestByToken(deps.secret, token),
    /** Scheduled work: each job claims its records by a conditional update (safe on several instances). */
    async runScheduledWork(): Promise<{ expiryNotices: number; digests: number; expiredRequests: number }> {
      const expiredRequests = await expireContactRequests(deps.clock());
      const expiryNotices = await sendExpiryNotices(deps);
      const digests = await sendDueDigests(deps);
      return { expiryNotices, digests, expiredRequests };
    },
  };
}

export type PartnersService = ReturnType<typeof createPartnersService>;
