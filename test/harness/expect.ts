import { expect } from 'chai';
import { isAegirError, type AegirError } from '../../core/errors/aegir-error.js';
import type { ErrorCode } from '../../core/errors/catalogue.js';

/**
 * Expect a promise (or function) to fail with an AegirError of `code`, and
 * return the error for further checks. Tests assert on codes, not messages.
 */
export async function expectCode(p: Promise<unknown> | (() => unknown), code: ErrorCode): Promise<AegirError> {
  let caught: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${code}, but nothing was thrown`).to.not.equal(undefined);
  expect(isAegirError(caught), `expected ${code}, got ${String(caught)}`).to.equal(true);
  expect((caught as AegirError).code, (caught as Error).message).to.equal(code);
  return caught as AegirError;
}
