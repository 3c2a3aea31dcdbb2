/**
 * Provision contexts: named JSON records of servers, platforms and sites
 * under the Aegir home (`contexts/<name>.json`). The front end writes them
 * from its database before each task (provision-save); the back end reads
 * them for every command, so it also works alone from the command line.
 */

/** Which service implementation a server runs, with its settings. */
export interface ServiceConfig {
  /** Implementation name within the service (`nginx`, `mysql`, `builtin`). */
  readonly type: string;
  /** Settings of that implementation (ports, paths); validated by the implementation. */
  readonly [setting: string]: string | number | boolean | undefined;
}

/** A machine that runs services. */
export interface ServerContext {
  readonly type: 'server';
  readonly name: string;
  /** `localhost` for the machine provision runs on; else a host reached over SSH. */
  readonly host: string;
  readonly ssh?: { readonly port: number; readonly user: string } | undefined;
  /** Services by kind: `http`, `db`, `app`. */
  readonly services: Readonly<Record<string, ServiceConfig>>;
}

/** A codebase of the framework on a server, serving sites. */
export interface PlatformContext {
  readonly type: 'platform';
  readonly name: string;
  /** Context name of the server it lives on. */
  readonly server: string;
  /** Absolute path of the codebase root on that server. */
  readonly root: string;
  /** Where the codebase comes from, when built by platform verify. */
  readonly git?: { readonly url: string; readonly ref: string } | undefined;
}

/** A site: a folder of a platform plus its database, served under its domain. */
export interface SiteProvisionContext {
  readonly type: 'site';
  /** The site's main domain. */
  readonly name: string;
  /** Context name of its platform. */
  readonly platform: string;
  /** Context name of the server of its database. */
  readonly dbServer: string;
  readonly profile: string;
  /** Other domains that answer for the site. */
  readonly aliases: readonly string[];
  /** Whether aliases redirect to the main domain instead of serving the site. */
  readonly redirection: boolean;
  /** Disabled sites show the disabled page instead of the site. */
  readonly enabled: boolean;
}

/** Any context. */
export type ProvisionContext = ServerContext | PlatformContext | SiteProvisionContext;

/** The kinds of context. */
export type ContextType = ProvisionContext['type'];
