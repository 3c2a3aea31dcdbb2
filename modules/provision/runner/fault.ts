/**
 * Fault injection for tests, from $AEGIR_FAULT: `<task>:<step>:<mode>`, the
 * step counted from 1 in the task's own step list. Modes:
 * - `fail`: the step ran, then fails as if it had thrown;
 * - `kill`: the step ran, then the process is killed (SIGKILL) before the
 *   journal records it;
 * - `fail-mid`, `kill-mid`: the same half-way through the step, just before
 *   its second command or file change on a server (after the step's end
 *   when it makes fewer), so that an undo meets a step that did part of
 *   its work.
 */
export interface Fault {
  readonly task: string;
  readonly step: number;
  readonly mode: 'fail' | 'kill';
  readonly mid: boolean;
}

/** The fault for one task, if $AEGIR_FAULT names it. */
export function parseFault(text: string | undefined, task: string): Fault | undefined {
  const m = text ? /^([a-z0-9-]+):(\d{1,3}):(fail|kill)(-mid)?$/.exec(text) : null;
  if (!m || m[1] !== task) return undefined;
  return { task, step: Number(m[2]), mode: m[3] as 'fail' | 'kill', mid: m[4] !== undefined };
}
