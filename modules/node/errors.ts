import { AegirError, type ErrorFacts } from '../../core/errors/aegir-error.js';

/** The node module's error codes (their messages are in core's catalogue, group "Nodes"). */
export type NodeErrorCode = 'ERR_NODE_INVALID' | 'ERR_NODE_TYPE_UNKNOWN' | 'ERR_NODE_TYPE_INVALID' | 'ERR_NODE_NOT_FOUND';

/** A coded error of the node module. */
export function nodeError(code: NodeErrorCode, facts: ErrorFacts, options?: { cause?: unknown }): AegirError {
  return new AegirError(code, facts, options);
}
