import type { SchemaDefinition } from '../../../core/database/schema.js';

/**
 * The task queue, in the site's database (the one source of truth): one
 * row per task (its node's id), one per run of it, and the log lines of
 * each run. The object columns (site, platform, server) are the lanes the
 * dispatcher keeps apart.
 */
export const queueSchema: SchemaDefinition = {
  hosting_task: {
    description: 'Tasks: one row per task node; what it is, on what, and where it stands.',
    columns: {
      nid: { type: 'integer', description: 'The task node (node.nid)' },
      task_type: { type: 'string', length: 64, description: 'Task type machine name (install, verify, ...)' },
      object_nid: { type: 'integer', description: 'The node the task works on' },
      object_kind: { type: 'string', length: 16, description: 'server, platform or site' },
      site_nid: { type: 'integer', nullable: true, description: 'Lane: the site it works on' },
      platform_nid: { type: 'integer', nullable: true, description: 'Lane: the platform it works on (a site task: its site\'s platform)' },
      server_nid: { type: 'integer', nullable: true, description: 'Lane: the server whose limit it counts against' },
      status: { type: 'string', length: 16, description: 'queued, processing, success, warning, error, cancelled' },
      args: { type: 'text', description: 'JSON object of the task\'s arguments (never secrets)' },
      uid: { type: 'integer', default: 0, description: 'Who queued it' },
      queued_at: { type: 'bigint', description: 'ms since the epoch' },
      started_at: { type: 'bigint', nullable: true },
      finished_at: { type: 'bigint', nullable: true },
      run_id: { type: 'integer', nullable: true, description: 'The current (or last) run: hosting_task_run.rid' },
      runs: { type: 'integer', default: 0, description: 'How many runs it had' },
      dispatcher: { type: 'string', length: 128, nullable: true, description: 'The dispatcher running it (host:pid:start)' },
      pid: { type: 'integer', nullable: true, description: 'The back-end process running it' },
      pid_start: { type: 'bigint', nullable: true, description: 'That process\'s start time, so a reused pid is never taken for it' },
      heartbeat_at: { type: 'bigint', nullable: true, description: 'Last sign of life of the dispatcher running it (ms)' },
      cancel_requested: { type: 'integer', default: 0, description: '1: end it (a running one gets SIGTERM and is undone)' },
    },
    primaryKey: ['nid'],
    indexes: {
      status_queued: ['status', 'queued_at'],
      object_status: ['object_nid', 'status'],
      site_status: ['site_nid', 'status'],
      platform_status: ['platform_nid', 'status'],
      server_status: ['server_nid', 'status'],
    },
  },
  hosting_task_run: {
    description: 'Runs of tasks: a retry is a new run with a log of its own.',
    columns: {
      rid: { type: 'serial' },
      task_nid: { type: 'integer' },
      attempt: { type: 'integer', description: '1 for the first run' },
      status: { type: 'string', length: 16, description: 'processing, success, warning, error, cancelled' },
      started_at: { type: 'bigint' },
      finished_at: { type: 'bigint', nullable: true },
      duration_ms: { type: 'bigint', nullable: true },
      exit_code: { type: 'integer', nullable: true },
      error_code: { type: 'string', length: 64, nullable: true },
      result: { type: 'text', size: 'medium', nullable: true, description: 'JSON: what the back end reported' },
    },
    indexes: { task: ['task_nid', 'attempt'] },
  },
  hosting_task_log: {
    description: 'Log lines of task runs, in the order the back end wrote them.',
    columns: {
      lid: { type: 'serial' },
      rid: { type: 'integer' },
      time: { type: 'bigint', description: 'ms since the epoch' },
      level: { type: 'string', length: 16 },
      message: { type: 'text' },
    },
    indexes: { run: ['rid', 'lid'] },
  },
  hosting_queue_lock: {
    description: 'One row that dispatchers lock while they claim tasks (SELECT ... FOR UPDATE), so that several dispatchers on one database never take two tasks that must not run together.',
    columns: {
      id: { type: 'integer' },
      claimed_at: { type: 'bigint', default: 0, description: 'Last claim (ms)' },
    },
    primaryKey: ['id'],
  },
};
