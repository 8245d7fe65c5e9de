/**
 * The meetings service, built once at start-up with its dependencies; every method takes the actor
 * first. The invitations (e-mails to both sides on booking and cancellation) come in as a dependency.
 */
import type { Types } from 'mongoose';
import type { Actor, Clock } from '../../kernel';
import type { Mailer } from '../../web/mail';
import type { FairEditionDoc } from '../fair';
import {
  acceptRequest,
  cancelMeeting,
  declineRequest,
  expireRequests,
  proposeSlots,
  repairInterruptedBookings,
  sendRequest,
  withdraw,
  type BookingDeps,
  type ProposeForm,
  type RequestInput,
} from './booking';
import type { MeetingInvitations } from './contract';
import type { MeetingSettingsDoc } from './model';
import { register, setUnavailable, type RegistrationInput } from './participants';
import { saveSettings, type SettingsInput } from './settings';
import type { z } from 'zod';

export interface MeetingsDeps {
  clock: Clock;
  mailer: Mailer;
  baseUrl: string;
  invitations: MeetingInvitations;
}

export function createMeetingsService(deps: MeetingsDeps) {
  const booking: BookingDeps = deps;
  return {
    now: () => deps.clock(),
    saveSettings: (actor: Actor, edition: FairEditionDoc, input: SettingsInput) => saveSettings(deps, actor, edition, input),
    register: (actor: Actor | undefined, settings: MeetingSettingsDoc, input: RegistrationInput) => register(actor, settings, input, deps.clock()),
    setUnavailable: (actor: Actor | undefined, settings: MeetingSettingsDoc, slots: string[]) => setUnavailable(actor, settings, slots),
    withdraw: (actor: Actor | undefined, editionId: Types.ObjectId) => withdraw(booking, actor, editionId),
    sendRequest: (actor: Actor | undefined, settings: MeetingSettingsDoc, toId: unknown, input: RequestInput) => sendRequest(booking, actor, settings, toId, input),
    acceptRequest: (actor: Actor | undefined, id: unknown, slot: string) => acceptRequest(booking, actor, id, slot),
    declineRequest: (actor: Actor | undefined, id: unknown, reason: string) => declineRequest(booking, actor, id, reason),
    proposeSlots: (actor: Actor | undefined, id: unknown, input: z.infer<typeof ProposeForm>) => proposeSlots(booking, actor, id, input),
    cancelMeeting: (actor: Actor | undefined, id: unknown) => cancelMeeting(booking, actor, id),
    /** Scheduled work: claimed by a conditional update, safe on several instances. */
    async runScheduledWork(): Promise<{ expiredRequests: number; repaired: { meetings: number; counts: number } }> {
      const expiredRequests = await expireRequests(deps.clock());
      const repaired = await repairInterruptedBookings(deps.clock());
      return { expiredRequests, repaired };
    },
  };
}

export type MeetingsService = ReturnType<typeof createMeetingsService>;
