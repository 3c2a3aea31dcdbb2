import type { Logger } from '../../../core/logger/logger.js';
import type { TaskSupervisor } from './supervisor.js';

/**
 * While a task runs in this process, SIGINT and SIGTERM cancel it: the
 * commands it runs are ended and the runner undoes what it did. A second
 * signal stops the process at once; its journal stays, and the next task
 * on the context undoes the task. Returns the function that removes the
 * handlers.
 */
export function onCancelSignals(sup: TaskSupervisor, logger: Logger): () => void {
  let seen = 0;
  const handler = (signal: NodeJS.Signals): void => {
    seen++;
    if (seen > 1) {
      logger.error(`${signal} again: stopping now; the next task on this context undoes this one.`);
      process.exit(130);
    }
    if (!sup.cancel(`${signal} received`)) {
      logger.warning(`${signal} received past the task's point of no return: finishing it instead of going back.`);
      return;
    }
    logger.warning(`${signal} received: ending the task's commands, then undoing what it did.`);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
