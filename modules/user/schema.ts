import type { SchemaDefinition } from '../../core/database/schema.js';

/** Tables of the user module. */
export const userSchema: SchemaDefinition = {
  users: {
    description: 'User accounts. User 1 is the site administrator created at install.',
    columns: {
      uid: { type: 'serial' },
      name: { type: 'string', length: 60 },
      mail: { type: 'string', length: 254 },
      pass: { type: 'string', length: 255, description: 'scrypt hash (see password.ts)' },
      status: { type: 'integer', default: 1, description: '1 active, 0 blocked' },
      created: { type: 'bigint' },
      changed: { type: 'bigint' },
      login: { type: 'bigint', default: 0, description: 'Last login, ms since the epoch; 0 for never' },
    },
    unique: { name: ['name'], mail: ['mail'] },
  },
};
