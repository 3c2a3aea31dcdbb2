import { defineModule } from '../../core/modules/definition.js';
import type {} from '../user/hooks.js';
import { kernelNodePermissions } from './access.js';
import { nodeHooks } from './hooks.js';
import { checkReferences } from './reference.js';
import { adminRoutes } from './routes/admin.js';
import { formRoutes } from './routes/forms.js';
import { nodeLoaders, viewRoutes } from './routes/view.js';
import { nodeSchema } from './schema.js';

/**
 * The node module: content of types that modules declare ('node.types'),
 * stored in the `node` table, with its hooks (hooks.ts), access rules
 * (access.ts), storage (storage.ts), reference fields (reference.ts) and pages: /node, /node/add,
 * /node/:nid with its edit and delete tabs, /admin/content and
 * /admin/structure/types.
 */
export default defineModule({
  hooks: nodeHooks,
  schema: nodeSchema,
  register(api) {
    api.on('http.param_loaders', (add) => { for (const l of nodeLoaders) add(l); });
    api.on('http.routes', (add) => { for (const r of [...viewRoutes, ...formRoutes, ...adminRoutes]) add(r); });
    // Per-type permissions depend on the node types of the kernel's modules.
    api.on('user.permissions', (add, { kernel }) => { for (const p of kernelNodePermissions(kernel)) add(p); });
    // Every reference field names an existing node of a target type (before other modules' checks: they depend on node).
    api.on('node.check', checkReferences);
  },
});
