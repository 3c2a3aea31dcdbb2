import { formatDate } from '../../../node/render.js';
import { whereTaskInScope } from '../../access/scope.js';
import { taskTypes } from '../../tasks/registry.js';
import { badge } from '../badges.js';
import type { Cell, ListDefinition } from './list.js';

interface TaskRow {
  nid: number; title: string; status: string; task_type: string; object_nid: number; object_kind: string; object_title: string;
  queued_at: number; started_at: number | null; finished_at: number | null; user: string | null;
}

/** "1.2 s", "3 min 4 s": how long a task ran (or has been running). */
export function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** /hosting/tasks: the tasks on the objects the account sees, newest first, by status, type and kind of object. */
export const tasksList: ListDefinition<TaskRow> = {
  path: '/hosting/tasks',
  title: 'Tasks',
  noun: 'task',
  empty: 'No tasks match.',
  countColumn: 't.nid',
  defaultSort: 'queued',
  columns: {
    task: { label: 'Task', sort: 'n.title' },
    status: { label: 'Status', sort: 't.status' },
    object: { label: 'On', sort: 'o.title' },
    queued: { label: 'Queued', sort: 't.queued_at', first: 'desc' },
    took: { label: 'Took', class: 'is-numeric' },
    by: { label: 'By', sort: 'u.name' },
  },
  search: { label: 'Task or object contains', column: 'n.title' },
  filters: [
    { name: 'status', label: 'Status', options: () => ['queued', 'processing', 'success', 'warning', 'error', 'cancelled'].map((s) => ({ value: s, label: s === 'processing' ? 'running' : s })), apply: (q, v) => { q.where('t.status', v); } },
    { name: 'type', label: 'Task type', options: (ctx) => [...new Set([...taskTypes(ctx.site.kernel).values()].map((t) => t.name))].sort().map((n) => ({ value: n, label: n })), apply: (q, v) => { q.where('t.task_type', v); } },
    { name: 'kind', label: 'On a', options: () => ['site', 'platform', 'server'].map((k) => ({ value: k, label: k })), apply: (q, v) => { q.where('t.object_kind', v); } },
  ],
  query(ctx, scope) {
    const db = ctx.site.db;
    const q = db('hosting_task as t').join('node as n', 'n.nid', 't.nid').join('node as o', 'o.nid', 't.object_nid').leftJoin('users as u', 'u.uid', 't.uid')
      .select('t.nid', 'n.title', 't.status', 't.task_type', 't.object_nid', 't.object_kind', 'o.title as object_title', 't.queued_at', 't.started_at', 't.finished_at', 'u.name as user');
    return whereTaskInScope(db, q, scope);
  },
  row(r, ctx): Cell[] {
    const node = (nid: number): string => ctx.url('node.view', { nid });
    const took = r.started_at ? duration(Number(r.finished_at ?? Date.now()) - Number(r.started_at)) : '';
    return [
      { text: r.title, href: node(Number(r.nid)) }, badge(r.status), { text: r.object_title, href: node(Number(r.object_nid)) },
      formatDate(Number(r.queued_at)), took, r.user ?? '',
    ];
  },
};
