/**
 * The fair's service, built once from its dependencies (module.ts); every method takes the actor
 * first and typed input (the forms are parsed at the edge, in the routes).
 */
import type { Actor } from '../../kernel';
import type { UploadedFile } from '../../web/uploads';
import { approveRequest, transition, type HumanAction, type NoteInput } from './transitions';
import type { ApproveInput } from './allocation';
import { addBoothRow, deleteBooth, importBoothCsv, updateBooth, type BoothInput, type RowInput } from './booths';
import type { FairDeps } from './deps';
import { closeRequests, createEdition, publishAllocation, updateEdition, type EditionInput } from './editions';
import { reconcileAllocations } from './repair';
import { createRequest, updateDraft, type RequestInput } from './requests';
import { seedFirstEdition } from './seed';
import { createEditionFrom, copyHall, inviteReturningExhibitors } from './continuity';
import { saveReport, turnIntoPractice, type OutcomeInput } from './outcomes';
import type { NewEditionInput } from './editions';
import type { Types } from 'mongoose';

export function createFairService(deps: FairDeps) {
  return {
    createRequest: (actor: Actor, input: RequestInput, brochure: UploadedFile[] = []) => createRequest(deps, actor, input, brochure),
    updateDraft: (actor: Actor, id: string, input: RequestInput, brochure: UploadedFile[] = []) => updateDraft(deps, actor, id, input, brochure),
    transition: (actor: Actor, id: string, action: Exclude<HumanAction, 'approve'>, input: NoteInput = {}) => transition(deps, actor, id, action, input),
    approve: (actor: Actor, id: string, input: ApproveInput) => approveRequest(deps, actor, id, input),
    createEdition: (actor: Actor, input: EditionInput) => createEdition(deps, actor, input),
    /** A new edition, starting from an earlier one's hall when the form asks so. */
    createEditionFrom: (actor: Actor, input: NewEditionInput) => createEditionFrom(deps, actor, input),
    copyHall: (actor: Actor, targetId: Types.ObjectId, sourceId: Types.ObjectId) => copyHall(deps, actor, targetId, sourceId),
    inviteReturningExhibitors: (actor: Actor, editionId: string) => inviteReturningExhibitors(deps, actor, editionId),
    saveOutcomeReport: (actor: Actor, editionId: string, input: OutcomeInput) => saveReport(deps, actor, editionId, input),
    turnReportIntoPractice: (actor: Actor, reportId: string) => turnIntoPractice(deps, actor, reportId),
    updateEdition: (actor: Actor, id: string, input: EditionInput) => updateEdition(deps, actor, id, input),
    publishAllocation: (actor: Actor, id: string) => publishAllocation(deps, actor, id),
    closeRequests: (actor: Actor, id: string) => closeRequests(deps, actor, id),
    addBoothRow: (actor: Actor, editionId: string, input: RowInput) => addBoothRow(deps, actor, editionId, input),
    updateBooth: (actor: Actor, editionId: string, boothId: string, input: BoothInput) => updateBooth(deps, actor, editionId, boothId, input),
    deleteBooth: (actor: Actor, editionId: string, boothId: string) => deleteBooth(deps, actor, editionId, boothId),
    importBoothCsv: (actor: Actor, editionId: string, csv: string) => importBoothCsv(deps, actor, editionId, csv),
    /** Start-up: repair what an interrupted allocation left, then seed the first edition on an empty database. */
    async start() {
      const repaired = await reconcileAllocations();
      const seeded = await seedFirstEdition(deps.clock());
      return { repaired, seeded };
    },
  };
}
export type FairService = ReturnType<typeof createFairService>;
