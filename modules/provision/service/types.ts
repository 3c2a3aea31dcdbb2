import type { Logger } from '../../../core/logger/logger.js';
import type { Executor } from '../executor/types.js';
import type { ContextStore } from '../context/store.js';
import type { PlatformContext, ServerContext, ServiceConfig, SiteProvisionContext } from '../context/types.js';
import type { Secrets } from './secrets.js';

/** What every service operation gets. */
export interface ServiceEnv {
  readonly server: ServerContext;
  /** The implementation's settings on that server (`services.<kind>`). */
  readonly config: ServiceConfig;
  readonly exec: Executor;
  readonly logger: Logger;
  readonly contexts: ContextStore;
  readonly secrets: Secrets;
  /** The Aegir home (on the provision machine). */
  readonly home: string;
  /** The back end's own command line (bin/aegir of its codebase), for processes it starts (the proxy). */
  readonly aegirBin: string;
  /** For app services: who must reach their sockets (the server's web server, see UpstreamAccess); owner only when unset. */
  readonly upstreamAccess?: UpstreamAccess | undefined;
}

/**
 * Who must reach the unix sockets of a server's app processes: its web
 * server, and nobody else (a socket any local user can open is a way
 * around the web server, to a disabled site or any other). `mode` is the
 * socket's; with `group` (or the primary group of `user`) the socket is
 * given to that group, which the back end's user must be a member of.
 */
export interface UpstreamAccess {
  readonly mode: number;
  readonly group?: string | undefined;
  readonly user?: string | undefined;
}

/** Where a platform's app process listens, for web servers to proxy to. */
export type Upstream = { readonly socket: string } | { readonly host: string; readonly port: number };

/** A site's database, as the site's settings will hold it. */
export type SiteDatabase =
  | { readonly driver: 'sqlite' }
  | { readonly driver: 'mysql'; readonly host: string; readonly port: number; readonly database: string; readonly user: string; readonly password: string };

/** A db service implementation (`sqlite`, `mysql`). */
export interface DbService {
  readonly kind: 'db';
  readonly type: string;
  /** Check the server: reachable, admin rights, version. */
  verify(env: ServiceEnv): Promise<string>;
  /** Database settings for a new site (fresh CSPRNG password where there is one). */
  plan(env: ServiceEnv, site: SiteProvisionContext, appHost: string): SiteDatabase;
  /** Create the database and its user with grants; safe to undo with drop. */
  create(env: ServiceEnv, db: SiteDatabase, appHost: string): Promise<void>;
  /** Drop the database and its user if they exist; resolves with whether either existed. */
  drop(env: ServiceEnv, db: SiteDatabase, appHost: string): Promise<boolean>;
  /** Whether the database exists. */
  exists(env: ServiceEnv, db: SiteDatabase): Promise<boolean>;
  /**
   * Whether the database's user is the site's own: it may use this
   * database and no other, so that dropping it with the site harms
   * nothing else (asked before the back end takes in a site it did not
   * make). Default: yes.
   */
  dedicated?(env: ServiceEnv, db: SiteDatabase): Promise<boolean>;
}

/** An http service implementation (`builtin`, `nginx`, `apache`). */
export interface HttpService {
  readonly kind: 'http';
  readonly type: string;
  /** Check the server and write the service's own config (main config, include folder). */
  verify(env: ServiceEnv): Promise<string>;
  /** Write (or rewrite) a site's virtual host: its domain and aliases to the platform's upstream, or the disabled page. Config is tested before reload. */
  writeSite(env: ServiceEnv, site: SiteProvisionContext, platform: PlatformContext, upstream: Upstream): Promise<void>;
  /** Remove a site's virtual host (nothing if absent) and reload; resolves with whether there was one. */
  removeSite(env: ServiceEnv, site: SiteProvisionContext): Promise<boolean>;
  /** Whether the site has a virtual host (a route) on this web server now. */
  hasSite(env: ServiceEnv, site: SiteProvisionContext): Promise<boolean>;
  /** The address where requests with a site's Host header reach this web server (for verify and tests). */
  endpoint(env: ServiceEnv): { readonly host: string; readonly port: number };
  /** Who of this web server must reach the app sockets (its workers' user or group). */
  upstreamAccess(env: ServiceEnv): UpstreamAccess;
}

/** An app service implementation: keeps a platform's `aegir serve` running. */
export interface AppService {
  readonly kind: 'app';
  readonly type: string;
  verify(env: ServiceEnv): Promise<string>;
  /** Make sure the platform's app process runs (start or restart it) and say where it listens. */
  ensure(env: ServiceEnv, platform: PlatformContext): Promise<Upstream>;
  /** Stop the platform's app process (nothing if it is not running); resolves with whether there was one to stop. */
  stop(env: ServiceEnv, platform: PlatformContext): Promise<boolean>;
}

/** Any service implementation. */
export type ServiceImplementation = DbService | HttpService | AppService;
