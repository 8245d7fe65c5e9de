/**
 * One-time notices shown on the next page after a redirect ("Saved.", "Check your e-mail").
 * Kept in the session; stored as catalogue keys, translated when shown.
 */
import type { NextFunction, Request, Response } from 'express';
import type { MessageRef } from '../kernel';

export type FlashKind = 'success' | 'info' | 'error';
export interface Flash extends MessageRef {
  kind: FlashKind;
}

declare module 'express-session' {
  interface SessionData {
    flash?: Flash[];
  }
}

export function flash(req: Request, kind: FlashKind, key: string, params?: Record<string, string | number>): void {
  if (!req.session) return;
  req.session.flash = [...(req.session.flash ?? []), { kind, key, params }];
}

export function flashLocals(req: Request, res: Response, next: NextFunction): void {
  const pending = req.session?.flash;
  if (pending?.length) {
    res.locals.flashes = pending;
    delete req.session.flash;
  } else {
    res.locals.flashes = [];
  }
  next();
}
