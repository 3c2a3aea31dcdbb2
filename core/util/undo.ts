import type { Logger } from '../logger/logger.js';

/**
 * A list of things to undo, in reverse order of doing, for operations that
 * must leave nothing behind when they fail part-way (site-install).
 */
export class UndoStack {
  private readonly steps: { label: string; fn: () => Promise<void> | void }[] = [];

  /** Record how to undo something that was just done. */
  push(label: string, fn: () => Promise<void> | void): void {
    this.steps.push({ label, fn });
  }

  /** Forget everything (the operation succeeded). */
  clear(): void {
    this.steps.length = 0;
  }

  /**
   * Undo everything, last first. A failing undo step is logged and the rest
   * still run, so one stuck step never strands the others.
   */
  async unwind(logger: Logger): Promise<void> {
    while (this.steps.length) {
      const step = this.steps.pop()!;
      try {
        await step.fn();
        logger.notice(`Undone: ${step.label}`);
      } catch (e) {
        logger.error(`Could not undo "${step.label}": ${(e as Error).message}`);
      }
    }
  }
}
