/**
 * The command dispatcher: finds the handler by the command's first field, refuses what a
 * standalone MongoDB would refuse (transactions: 20 IllegalOperation; unknown: 59
 * CommandNotFound) and turns every failure into MongoDB's `{ok: 0, errmsg, code, codeName}`.
 */
import type { Document } from 'bson';
import { ErrorCodes, MongoError, asMongoError } from '../errors';
import { adminCommands } from './admin';
import type { CommandContext, CommandHandler } from './context';
import { ddlCommands } from './ddl';
import { readCommands } from './read';
import { statsCommands } from './stats';
import { writeCommands } from './write';
import { normaliseCommand } from '../engine/bson-numbers';
import { isPlainObject, keyString } from '../engine/values';

const registry = new Map<string, CommandHandler>(
  Object.entries({ ...adminCommands, ...ddlCommands, ...readCommands, ...writeCommands, ...statsCommands }),
);

export function commandName(cmd: Document): string {
  return Object.keys(cmd)[0] ?? '';
}

/** Remembers the logical session a command names (what $listLocalSessions lists). */
function noteSession(cmd: Document, ctx: CommandContext): void {
  const lsid = cmd.lsid;
  if (!isPlainObject(lsid) || lsid.id === undefined) return;
  ctx.engine.sessions.set(keyString(lsid.id), { id: lsid.id, lastUse: new Date() });
}

export async function runCommand(raw: Document, ctx: CommandContext): Promise<Document> {
  const name = commandName(raw);
  const cmd = normaliseCommand(raw);
  try {
    const handler = registry.get(name);
    if (!handler) throw new MongoError(ErrorCodes.CommandNotFound, `no such command: '${name}'`);
    if (cmd.txnNumber !== undefined || cmd.startTransaction !== undefined || cmd.autocommit !== undefined) {
      throw new MongoError(ErrorCodes.IllegalOperation, 'Transaction numbers are only allowed on a replica set member or mongos');
    }
    noteSession(cmd, ctx);
    return await handler(cmd, ctx);
  } catch (err) {
    const e = asMongoError(err);
    if (e.code === ErrorCodes.InternalError) ctx.engine.logger.error(`command ${name} failed: ${e.message}`);
    return e.toReply();
  }
}
