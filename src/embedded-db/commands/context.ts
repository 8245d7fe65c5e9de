/**
 * What every command handler receives, and the small argument parsers they share, so that a bad
 * argument gets the same MongoDB-style error whichever command it was sent to.
 */
import type { Document } from 'bson';
import type { Engine } from '../engine/engine';
import { ErrorCodes, MongoError } from '../errors';
import { isNumeric, isPlainObject, toNumber, typeName } from '../engine/values';

export interface ConnectionInfo {
  id: number;
  remote: string;
}

export interface CommandContext {
  engine: Engine;
  /** The database the command was sent to ($db). */
  db: string;
  connection: ConnectionInfo;
  /** Number of open client connections, for serverStatus. */
  connectionCount(): number;
}

export type CommandHandler = (cmd: Document, ctx: CommandContext) => Promise<Document> | Document;

function wrongType(field: string, expected: string, value: unknown): MongoError {
  return new MongoError(
    ErrorCodes.TypeMismatch,
    `BSON field '${field}' is the wrong type '${typeName(value)}', expected type '${expected}'`,
  );
}

/** The collection name a command names in its first field. */
export function collectionArg(cmd: Document, field: string): string {
  const v = cmd[field];
  if (typeof v !== 'string') {
    throw new MongoError(ErrorCodes.InvalidNamespace, `collection name has invalid type ${typeName(v)}`);
  }
  if (v.length === 0) throw new MongoError(ErrorCodes.InvalidNamespace, `Invalid namespace specified '.${v}'`);
  return v;
}

export function optionalDocument(cmd: Document, field: string, commandName: string): Document | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) throw wrongType(`${commandName}.${field}`, 'object', v);
  return v;
}

export function optionalArray(cmd: Document, field: string, commandName: string): Document[] | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw wrongType(`${commandName}.${field}`, 'array', v);
  return v as Document[];
}

export function optionalInt(cmd: Document, field: string, commandName: string): number | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!isNumeric(v)) throw wrongType(`${commandName}.${field}`, 'long', v);
  return Math.trunc(toNumber(v));
}

export function nonNegative(value: number | undefined, field: string): number | undefined {
  if (value !== undefined && value < 0) {
    throw new MongoError(51024, `BSON field '${field}' value must be >= 0, actual value '${value}'`);
  }
  return value;
}

export function truthy(v: unknown): boolean {
  return v === true || (isNumeric(v) && toNumber(v) !== 0);
}

export function requireAdmin(ctx: CommandContext, name: string): void {
  if (ctx.db !== 'admin') throw new MongoError(ErrorCodes.Unauthorized, `${name} may only be run against the admin database.`);
}
