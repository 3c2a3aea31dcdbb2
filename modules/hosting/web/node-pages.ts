import type { RequestContext } from '../../../core/http/types.js';
import type { Renderable } from '../../../core/theme/renderable.js';
import type { Node, NodeTypeDefinition } from '../../node/types.js';
import { clientPage } from './pages/client.js';
import { packagePage, platformPage, serverPage } from './pages/infrastructure.js';
import { sitePage } from './pages/site.js';
import { taskPage } from './pages/task.js';

/** The page of each hosting node type (in the admin theme), instead of its fields. */
const PAGES: Readonly<Record<string, (ctx: RequestContext, node: Node) => Promise<Renderable>>> = {
  site: sitePage, platform: platformPage, server: serverPage, client: clientPage, task: taskPage, package: packagePage,
};

/** A hosting node type with its page. */
export function withPage(t: NodeTypeDefinition): NodeTypeDefinition {
  const page = PAGES[t.type];
  return page ? { ...t, page } : t;
}
