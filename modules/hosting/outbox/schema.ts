import type { SchemaDefinition, TableDefinition } from '../../../core/database/schema.js';

/** The outbox table: each message a module owes another system, with its attempts and last answer. */
export const outboxTable: TableDefinition = {
  description: 'Messages to other systems (webhook POSTs, mails), attempted, retried with back-off, each attempt recorded.',
  columns: {
    id: { type: 'serial' },
    channel: { type: 'string', length: 64, description: 'The sender that delivers it (a module\'s channel)' },
    ref: { type: 'integer', nullable: true, description: 'What it is delivered to (a webhook node), per channel' },
    task_nid: { type: 'integer', nullable: true, description: 'The task it is about' },
    body: { type: 'text', description: 'What is sent, as it is sent (signed as it is)' },
    status: { type: 'string', length: 16, description: 'pending, delivered or failed (given up)' },
    attempts: { type: 'integer', default: 0 },
    next_at: { type: 'bigint', description: 'When to try (again), ms since the epoch' },
    last_status: { type: 'integer', nullable: true, description: 'The status code of the last answer' },
    last_error: { type: 'string', length: 500, default: '' },
    created: { type: 'bigint' },
  },
  indexes: { outbox_due: ['status', 'next_at'], outbox_ref: ['channel', 'ref'] },
};

/** The hosting module's outbox schema. */
export const outboxSchema: SchemaDefinition = { hosting_outbox: outboxTable };
