/**
 * Typed errors that services throw. Each carries a message key from the catalogues (never text),
 * and the one error handler (web/error-handler.ts) turns it into a status and a page. Services
 * never know HTTP: the status lives here, next to the kind of failure it describes.
 */

export interface MessageRef {
  key: string;
  params?: Record<string, string | number>;
}

export type FieldErrors = Record<string, MessageRef>;

export abstract class AppError extends Error {
  abstract readonly status: number;
  readonly messageKey: string;
  readonly params: Record<string, string | number> | undefined;

  constructor(messageKey: string, params?: Record<string, string | number>) {
    super(messageKey);
    this.name = new.target.name;
    this.messageKey = messageKey;
    this.params = params;
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  constructor(messageKey = 'errors:notFound.message', params?: Record<string, string | number>) {
    super(messageKey, params);
  }
}

/** The user is known but may not do this. */
export class ForbiddenError extends AppError {
  readonly status = 403;
  constructor(messageKey = 'errors:forbidden.message', params?: Record<string, string | number>) {
    super(messageKey, params);
  }
}

/** No user: the handler sends the visitor to the login page. */
export class UnauthenticatedError extends AppError {
  readonly status = 401;
  constructor(messageKey = 'errors:unauthenticated.message') {
    super(messageKey);
  }
}

/** The request is valid but clashes with the current state (booth taken, wrong workflow step...). */
export class ConflictError extends AppError {
  readonly status = 409;
}

/** Input that breaks a rule; fieldErrors says which field, for showing beside it. */
export class ValidationError extends AppError {
  readonly status = 422;
  readonly fieldErrors: FieldErrors;
  constructor(fieldErrors: FieldErrors, messageKey = 'validation:formHasErrors') {
    super(messageKey);
    this.fieldErrors = fieldErrors;
  }
}

export class TooManyRequestsError extends AppError {
  readonly status = 429;
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('errors:tooManyRequests.message', { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A request the portal cannot take at all (too large, malformed upload, wrong content type). */
export class BadRequestError extends AppError {
  readonly status: number;
  constructor(messageKey = 'errors:badRequest.message', status = 400, params?: Record<string, string | number>) {
    super(messageKey, params);
    this.status = status;
  }
}

export function isDuplicateKeyError(err: unknown): err is { code: 11000; keyPattern?: Record<string, unknown>; keyValue?: Record<string, unknown> } {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
