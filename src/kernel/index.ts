/**
 * The shared kernel: what every module needs and no feature owns — who is asking (Actor, Role), the
 * typed errors services throw, the clock, languages and id checks. It imports no module and no web code.
 */
export { ROLES, assertRole, type Actor, type Role } from './actor';
export { systemClock, type Clock } from './clock';
export { LANGUAGES, DEFAULT_LANGUAGE, isLanguage, type Language } from './language';
export { isObjectId, objectIdOr404 } from './ids';
export type { DeskItem } from './desk';
export {
  AppError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
  UnauthenticatedError,
  ValidationError,
  isDuplicateKeyError,
  type FieldErrors,
  type MessageRef,
} from './errors';
