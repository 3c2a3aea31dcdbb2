import type { Kernel } from '../kernel/kernel.js';
import type { CommandDefinition } from '../cli/command.js';
import type { FormAlterContext, FormDefinition } from '../forms/types.js';
import type { Account, ParamLoader, RequestContext, RouteDefinition } from '../http/types.js';
import type { Markup } from '../theme/renderable.js';
import type { ThemeEngineFactory } from '../theme/renderer.js';
import type { InstallStep } from '../modules/definition.js';
import type { SiteContext } from '../site/context.js';
import { hook } from './kinds.js';

/** A line of `aegir status` contributed by a module. */
export interface StatusItem {
  readonly label: string;
  value(site: SiteContext): Promise<string> | string;
}

/** Payload of the module lifecycle events. */
export interface ModulesChanged {
  readonly site: SiteContext;
  /** Machine names, in the order they were processed. */
  readonly modules: readonly string[];
}

/** What 'site.serving' implementations get. */
export interface SiteServing {
  readonly site: SiteContext;
  /** Register how to end the work when the site stops being served here. */
  onStop(stop: () => Promise<void>): void;
}

/** What a themed page carries besides its content: markup at the top of the page and scripts (same-origin paths). */
export interface PageAttachments {
  /** Rendered markup shown above the page title, in order (a queue summary, a notice). */
  readonly header: Markup[];
  /** Script paths on this site (a module's own assets: /modules/<name>/assets/...), loaded deferred. */
  readonly scripts: string[];
  /** Stylesheet paths on this site, loaded after the theme's own. */
  readonly stylesheets: string[];
}

/** What 'http.page' implementations get. */
export interface PageEvent {
  readonly ctx: RequestContext;
  /** The page's HTTP status (an error page too). */
  readonly status: number;
  readonly attachments: PageAttachments;
}

/**
 * Core's own hooks: one frozen object, typed through HookMap. Module hooks
 * are declared the same way in each module's `hooks.ts`.
 */
export const coreHooks = Object.freeze({
  /**
   * Commands of `bin/aegir`. Collected once per kernel; a name declared
   * twice is an error naming both modules. The context gives the kernel,
   * for commands made from other modules' declarations (provision's tasks).
   */
  'cli.commands': hook.collect<CommandDefinition, { readonly kernel: Kernel }>('Commands for bin/aegir. Collected once per kernel; the context gives the kernel.'),
  /** Extra lines for `aegir status`, shown after core's own. */
  'site.status': hook.collect<StatusItem>('Lines added to "aegir status" for an installed site.'),
  /**
   * A serving process (aegir serve) booted the site: start work that lives
   * as long as the site is served there (the hosting queue's dispatcher),
   * and register with `onStop` how to end it; the process awaits every
   * stop before it closes the site's database (on SIGTERM, or when the site
   * is booted again from new settings).
   */
  'site.serving': hook.event<SiteServing>('A serving process booted the site: start background work; register its stop with onStop.'),
  /** Steps of site-install after the modules are installed, in module order; the profile's own steps run after these. */
  'install.steps': hook.collect<InstallStep>('Steps of site-install that run once every module is installed, in module order, before the profile\'s own steps.'),
  /** Periodic work: `aegir cron` runs every implementation in module order under a lock. */
  cron: hook.event<SiteContext>('Periodic work for a site, run by "aegir cron" in module order; one cron run at a time per site.'),
  /** Caches were cleared: drop any cache a module keeps outside core_cache. */
  'cache.flush': hook.event<SiteContext>('All caches were cleared ("aegir cache-clear"); modules drop caches they keep elsewhere.'),
  /** Pages of the web admin and the site: path, title, access, handler or form, menu link, tab. */
  'http.routes': hook.collect<RouteDefinition>('Routes of the site: each a path with title, access, and a handler or a form. Collected once per kernel.'),
  /** Loaders that turn a path parameter into an object (`node` for /node/:nid); an unknown value is a 404. */
  'http.param_loaders': hook.collect<ParamLoader>('Loaders for path parameters, by name; a route names the loader of each parameter.'),
  /**
   * A themed page is about to be rendered (not redirects, JSON or streamed
   * answers): add markup to its top and scripts to load. Runs on every
   * page, so keep it to a query or two.
   */
  'http.page': hook.event<PageEvent>('A themed page is about to be rendered: add markup above its title and scripts (same-origin paths) through payload.attachments.'),
  /** Who a session's user id is: the first module that knows returns the account (the user module). */
  'http.account': hook.bail<{ readonly site: SiteContext; readonly uid: number }, Account>('The account of a request: uid is the session user, 0 for anonymous visitors; the first answer wins. No answer means anonymous without permissions.'),
  /** Theme engines by name; a theme names its engine in theme.json (default nunjucks, from the nunjucks module). */
  'theme.engines': hook.collect<ThemeEngineFactory>('Theme engines that render templates; a theme chooses one by name in its theme.json.'),
  /** Change any form: runs first, for every form. */
  'form.alter': hook.alter<FormDefinition, FormAlterContext>('Change any form before it is shown or processed; runs for every form, before the base and id hooks.'),
  /** Change every form of a family (context.baseId, e.g. node_form). */
  'form.alter.base': hook.alter<FormDefinition, FormAlterContext>('Change forms of one family (check context.baseId); runs after form.alter.'),
  /** Change one form (context.formId). */
  'form.alter.id': hook.alter<FormDefinition, FormAlterContext>('Change one form (check context.formId); runs last.'),
  /** Modules were installed (schema created, install functions run); runs on the new kernel. */
  'modules.installed': hook.event<ModulesChanged>('Modules were installed on the site; runs on the new kernel after their install functions.'),
  /** Disabled modules were enabled again; runs on the new kernel. */
  'modules.enabled': hook.event<ModulesChanged>('Installed but disabled modules were enabled again; runs on the new kernel.'),
  /** Modules were disabled; runs on the new kernel, without them. */
  'modules.disabled': hook.event<ModulesChanged>('Modules were disabled; runs on the new kernel, which no longer has them.'),
  /** Modules were uninstalled (tables dropped, configuration deleted). */
  'modules.uninstalled': hook.event<ModulesChanged>('Modules were uninstalled: their tables and configuration are gone.'),
});

/** The types of core's hooks, merged into HookMap. */
export type CoreHooks = typeof coreHooks;
