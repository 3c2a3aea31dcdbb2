import { catalogue, type ErrorCode } from './catalogue.js';

/** Facts attached to an error; they fill in its message and travel with it. */
export type ErrorFacts = Record<string, string | number | undefined>;

/**
 * An expected failure with a catalogue code. Its message is built from the
 * catalogue, so the text is consistent wherever the error is raised.
 */
export class AegirError extends Error {
  /** Catalogue code, stable across releases; tests assert on it. */
  readonly code: ErrorCode;
  /** The facts the message was built from. */
  readonly facts: ErrorFacts;

  constructor(code: ErrorCode, facts: ErrorFacts = {}, options?: { cause?: unknown }) {
    super(catalogue[code](facts), options);
    this.name = 'AegirError';
    this.code = code;
    this.facts = facts;
  }
}

/**
 * Whether a value is an AegirError. Checks shape rather than the class, so an
 * error raised by a module that was loaded from another copy of core (a
 * source module next to a compiled core) still counts.
 */
export function isAegirError(e: unknown): e is AegirError {
  return e instanceof Error && e.name === 'AegirError' && typeof (e as { code?: unknown }).code === 'string';
}

/** The message of any thrown value, for wrapping it in a coded error. */
export function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
