/**
 * MongoDB-style command errors. Every failure the engine reports carries MongoDB's numeric code
 * and codeName so that drivers (and mongoose) react exactly as they would to a real server.
 */
import type { Document } from 'bson';

/** The codes the engine uses, with MongoDB's names for them. */
export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  Unauthorized: 13,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  DollarPrefixedFieldName: 52,
  CommandNotFound: 59,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  IndexAlreadyExists: 68,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  ConflictingUpdateOperators: 40,
  DocumentValidationFailure: 121,
  CommandNotSupported: 115,
  CannotIndexParallelArrays: 171,
  DuplicateKey: 11000,
  InvalidIdField: 53,
  NoQueryExecutionPlans: 291,
  BSONObjectTooLarge: 10334,
} as const;

const CODE_NAMES: Record<number, string> = {
  1: 'InternalError',
  2: 'BadValue',
  9: 'FailedToParse',
  13: 'Unauthorized',
  14: 'TypeMismatch',
  20: 'IllegalOperation',
  26: 'NamespaceNotFound',
  27: 'IndexNotFound',
  40: 'ConflictingUpdateOperators',
  43: 'CursorNotFound',
  48: 'NamespaceExists',
  52: 'DollarPrefixedFieldName',
  53: 'InvalidIdField',
  59: 'CommandNotFound',
  66: 'ImmutableField',
  67: 'CannotCreateIndex',
  68: 'IndexAlreadyExists',
  72: 'InvalidOptions',
  73: 'InvalidNamespace',
  85: 'IndexOptionsConflict',
  86: 'IndexKeySpecsConflict',
  115: 'CommandNotSupported',
  121: 'DocumentValidationFailure',
  171: 'CannotIndexParallelArrays',
  291: 'NoQueryExecutionPlans',
  10334: 'BSONObjectTooLarge',
  28: 'PathNotViable',
  56: 'EmptyFieldName',
  11000: 'DuplicateKey',
};

export function codeName(code: number): string {
  return CODE_NAMES[code] ?? `Location${code}`;
}

export class MongoError extends Error {
  readonly code: number;
  readonly codeName: string;
  /** Extra reply fields MongoDB sends with this error (keyPattern, keyValue, ...). */
  readonly extra: Document;

  constructor(code: number, message: string, extra: Document = {}) {
    super(message);
    this.name = 'MongoError';
    this.code = code;
    this.codeName = codeName(code);
    this.extra = extra;
  }

  /** The `{ok: 0, errmsg, code, codeName, ...}` reply MongoDB sends for a failed command. */
  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }

  /** The entry of a write command's `writeErrors` array. */
  toWriteError(index: number): Document {
    return { index, code: this.code, errmsg: this.message, ...this.extra };
  }
}

/** Anything thrown inside a command becomes a MongoError; unexpected errors keep their text. */
export function asMongoError(err: unknown): MongoError {
  if (err instanceof MongoError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new MongoError(ErrorCodes.InternalError, message);
}

export function badValue(message: string): MongoError {
  return new MongoError(ErrorCodes.BadValue, message);
}

export function failedToParse(message: string): MongoError {
  return new MongoError(ErrorCodes.FailedToParse, message);
}

export function typeMismatch(message: string): MongoError {
  return new MongoError(ErrorCodes.TypeMismatch, message);
}
