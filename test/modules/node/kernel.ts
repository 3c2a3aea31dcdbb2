import { Kernel } from '../../../core/kernel/kernel.js';
import { defineModule, type ModuleDefinition } from '../../../core/modules/definition.js';
import type { LoadedModule } from '../../../core/modules/loader.js';
import { parseManifest } from '../../../core/modules/manifest.js';
import type { SiteContext } from '../../../core/site/context.js';
import nodeModule from '../../../modules/node/index.js';
import userModule from '../../../modules/user/index.js';
import probeModule from '../../fixtures/modules/node_probe/index.js';
import type { NodeTypeDefinition } from '../../../modules/node/types.js';

/** A loaded module made by hand: a valid manifest and the given definition. */
export function mod(name: string, definition: ModuleDefinition = {}): LoadedModule {
  const dir = `/virtual/modules/${name}`;
  return { name, manifest: parseManifest({ name, description: `Test module ${name}.`, version: '1.0.0' }, `${dir}/module.json`), dir, definition };
}

/** A module that declares node types. */
export function typesModule(name: string, ...types: NodeTypeDefinition[]): LoadedModule {
  return mod(name, defineModule({ register(api) { api.on('node.types', (add) => { for (const t of types) add(t); }); } }));
}

/** A kernel of user, node, node_probe and any extra modules, without a database. */
export function probeKernel(...extra: LoadedModule[]): Kernel {
  return Kernel.create([mod('user', userModule), mod('node', nodeModule), mod('node_probe', probeModule), ...extra]);
}

/**
 * Enough of a site for code that only uses its kernel and hooks (access,
 * rendering, the type registry); anything else throws when touched.
 */
export function kernelSite(kernel: Kernel): SiteContext {
  return new Proxy({ kernel, hooks: kernel.hooks, name: 'site.test' } as Partial<SiteContext>, {
    get(target, key) {
      if (key in target || typeof key === 'symbol') return target[key as keyof SiteContext];
      throw new Error(`this test site has no ${String(key)}`);
    },
  }) as SiteContext;
}
