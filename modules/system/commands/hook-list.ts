import { defineCommand } from '../../../core/cli/command.js';
import { table } from '../../../core/cli/output.js';
import type { Json } from '../../../core/config/config-store.js';

/** `aegir hook-list`: every declared hook with its kind, owner and implementations. */
export const hookList = defineCommand({
  name: 'hook-list',
  description: 'List the hooks of the site: kind, declaring module, implementing modules in call order.',
  bootstrap: 'root',
  async run(ctx) {
    const kernel = ctx.site?.kernel;
    const hooks = kernel ? kernel.hooks.list() : [];
    if (!kernel) ctx.logger.warning('No installed site was chosen; use --uri to list the hooks of a site.');
    return {
      data: hooks as unknown as Json,
      text: table(['hook', 'kind', 'owner', 'implementations'], hooks.map((h) => [h.name, h.kind, h.owner, h.implementations.join(', ')])),
    };
  },
});
