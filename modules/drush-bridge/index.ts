import { defineModule } from '../../core/modules/definition.js';

/**
 * drush-bridge: how the front end runs back-end tasks. `runBackend`
 * (run.ts) starts `aegir --backend provision-TASK @context` and reads its
 * JSON lines (protocol.ts); the hosting module's dispatcher uses it. It
 * declares no hooks and no tables.
 */
export default defineModule({});
