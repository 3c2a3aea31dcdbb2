/**
 * The public entry of provision for other modules: what a contrib module
 * needs to declare a task (`provision.tasks`), add steps to one
 * (`provision.steps`) or add a service (`provision.services`), and to run
 * a task from code. Import from here, never from provision's inner files:
 * those may move.
 */
export type { Claim, ClaimMode } from './runner/claims.js';
export type { TaskContextBase, TaskOptions } from './runner/context.js';
export type { StepContribution } from './runner/contributions.js';
export { defineTask, type AnyTaskDefinition, type TaskCall, type TaskContexts, type TaskDefinition, type TaskOn } from './runner/definition.js';
export { invokeTask, type TaskInvocation, type TaskOutcome } from './runner/invoke.js';
export type { TaskNotes } from './runner/notes.js';
export { taskRegistry, type TaskRegistry } from './runner/registry.js';
export type { TaskStep, WeightedStep } from './runner/step.js';
export type { PlatformContext, ServerContext, SiteProvisionContext } from './context/types.js';
export type { Executor, ExecOptions, ExecResult } from './executor/types.js';
export type { AppService, DbService, HttpService, ServiceEnv, ServiceImplementation, SiteDatabase, Upstream } from './service/types.js';
export type { PlatformTaskContext } from './tasks/platform-context.js';
export type { ServerTaskContext } from './tasks/server-context.js';
export { appHostFor, platformAegir, service, siteClaims, siteDirOf, type SiteTaskContext } from './tasks/site-context.js';
export { checkServed } from './tasks/checks.js';
export { serveSite, isServed } from './tasks/site-delete.js';
export type { ProvisionHooks } from './hooks.js';
export { isDomain, isSafePath, pathProblem, typeOfName } from './context/validate.js';
export { webServerService, type WebServerDriver } from './service/http/web-server.js';
export { DISABLED_PAGE, listenOn, redirectBase, RETRY_AFTER, type VhostSite, type WebSettings } from './service/http/vhost-check.js';
export { takeBackup } from './backup/create.js';
export { backupDirOf } from './backup/paths.js';
