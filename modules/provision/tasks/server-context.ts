import type { ServerContext } from '../context/types.js';
import type { Executor } from '../executor/types.js';
import type { TaskContextBase } from '../runner/context.js';

/** What a server task's steps share. */
export interface ServerTaskContext extends TaskContextBase {
  readonly server: ServerContext;
  readonly exec: Executor;
}
