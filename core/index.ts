/**
 * The framework's public API for modules: types and the few helpers a module
 * needs. Modules import types from here; everything they use at run time
 * (database, config, hooks, logger) is handed to them through SiteContext.
 */
export { AegirError, isAegirError } from './errors/aegir-error.js';
export type { ErrorCode } from './errors/catalogue.js';
export { hook } from './hooks/kinds.js';
export type { HookDef, HookDeclarations, Implementation, Contribution, VoteResult, Ballot, HookKind } from './hooks/kinds.js';
export type { HookMap, HookName } from './hooks/hook-map.js';
export type { StatusItem, ModulesChanged } from './hooks/core-hooks.js';
export { HookBus, rootCause } from './hooks/bus.js';
export { defineModule } from './modules/definition.js';
export type { ModuleDefinition, ModuleApi, UpdateDefinition, InstallStep, InstallInput } from './modules/definition.js';
export type { SchemaDefinition, TableDefinition, ColumnDefinition } from './database/schema.js';
export type { SiteContext } from './site/context.js';
export { defineCommand } from './cli/command.js';
export type { CommandDefinition, CommandContext, CommandResult, OptionSpec } from './cli/command.js';
export type { Json } from './config/config-store.js';
export type { Logger, LogLevel, LogEntry } from './logger/logger.js';
export { CORE_VERSION } from './version.js';
