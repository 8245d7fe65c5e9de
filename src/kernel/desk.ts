/**
 * The desk's contract: what a module hands the desk for one person. The desk knows no module's
 * internals; each module lists what waits for this actor (oldest first is the desk's job).
 */
import type { MessageRef } from './errors';

export interface DeskItem {
  /** A stable kind, e.g. 'fair.endorse' (tests and the digest group by it). */
  kind: string;
  /** What waits, as a catalogue key with its parameters. */
  title: MessageRef;
  /** Where the action is done (a path on the portal). */
  url: string;
  /** Since when it has been waiting (the desk shows its age and sorts on it). */
  since: Date;
  /** The action at hand, as a catalogue key (the link's text). */
  action: MessageRef;
  /** A deadline, when the item has one (a delegation to register, a comment period). */
  due?: Date | null;
}
