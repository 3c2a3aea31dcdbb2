import { defineModule } from '../../core/modules/definition.js';

/** The minimal profile adds nothing beyond the required modules. */
export default defineModule({});
