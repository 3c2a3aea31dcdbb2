import type { SchemaDefinition } from '../../core/database/schema.js';

/** Tables of the node module. */
export const nodeSchema: SchemaDefinition = {
  node: {
    description: 'Content: one row per node; the values of the type\'s fields are JSON in data.',
    columns: {
      nid: { type: 'serial' },
      type: { type: 'string', length: 32, description: 'Machine name of the node type' },
      title: { type: 'string', length: 255 },
      uid: { type: 'integer', default: 0, description: 'Author (users.uid); 0 for anonymous' },
      status: { type: 'integer', default: 1, description: '1 published, 0 unpublished' },
      promote: { type: 'integer', default: 0, description: '1 promoted to the front page' },
      sticky: { type: 'integer', default: 0, description: '1 listed before other nodes' },
      created: { type: 'bigint', description: 'ms since the epoch' },
      changed: { type: 'bigint', description: 'ms since the epoch' },
      data: { type: 'text', size: 'long', description: 'JSON object of field values by field name' },
    },
    indexes: {
      type_status_created: ['type', 'status', 'created'],
      front: ['status', 'sticky', 'created'],
      changed: ['changed'],
      title: ['title'],
      uid: ['uid'],
    },
  },
};
