/**
 * Who is asking, at the HTTP edge: req.user is the kernel's Actor (the accounts module signs users in
 * and loads them per request). Guards here only read req.user.
 */
import type { NextFunction, Request, Response } from 'express';
import { UnauthenticatedError, ForbiddenError, type Actor, type Role } from '../kernel';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // Passport's req.user is the Actor.
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Actor {}
  }
}

/** The signed-in actor, or UnauthenticatedError (the error handler redirects to /login). */
export function actorOf(req: Request): Actor {
  if (!req.user) throw new UnauthenticatedError();
  return req.user;
}

export function requireUser(req: Request, _res: Response, next: NextFunction): void {
  next(req.user ? undefined : new UnauthenticatedError());
}

export function requireRole(...roles: Role[]) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!req.user) return next(new UnauthenticatedError());
    next(roles.includes(req.user.role) ? undefined : new ForbiddenError());
  };
}
