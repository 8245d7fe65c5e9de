/**
 * The current time. Services are built with a Clock and ask it instead of `new Date()`, so tests can
 * move time (the app context's `now` is the clock).
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
