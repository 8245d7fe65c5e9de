/**
 * Ids that arrive from URLs and forms. A forged or foreign id is a 404, never a crash or a cast error.
 */
import { Types } from 'mongoose';
import { NotFoundError } from './errors';

const OBJECT_ID = /^[a-f0-9]{24}$/i;

export function isObjectId(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID.test(value);
}

/** The id as an ObjectId, or NotFoundError (404) when it cannot be one. */
export function objectIdOr404(value: unknown): Types.ObjectId {
  if (!isObjectId(value)) throw new NotFoundError();
  return new Types.ObjectId(value);
}
