import { defineModule } from '../../core/modules/definition.js';
import { queueSchema } from './queue/schema.js';

/**
 * The hosting front end. So far: the task queue's tables and its
 * dispatcher (queue/); the node types, task types, the bridge to the back
 * end and the commands follow (see the note).
 */
export default defineModule({
  schema: queueSchema,
});
