/**
 * The one catalogue of coded errors. Every error the framework raises on
 * purpose has a code here and a message builder that says what was wrong and
 * what to do about it. Tests assert on codes, never on message text.
 *
 * Codes are grouped by the part that raises them; a new part adds its group
 * here rather than inventing a second catalogue.
 */

/** Arguments a message builder receives: the facts it names. */
type Facts = Record<string, string | number | undefined>;

const define = <T extends Record<string, (f: Facts) => string>>(t: T): T => t;

/** Every error code with the builder of its message. */
export const catalogue = define({
  // Modules: manifests, discovery, dependency graph, lifecycle.
  ERR_MANIFEST_INVALID: (f) => `Module manifest ${f.path} is invalid: ${f.problem}. Fix the file and try again.`,
  ERR_MODULE_NAME_CONFLICT: (f) => `Module "${f.name}" is declared twice in the same directory level (${f.first} and ${f.second}). Remove one of them.`,
  ERR_MODULE_UNKNOWN: (f) => `No module named "${f.name}" was found in this codebase${f.hint ? ` (${f.hint})` : ''}. Check the name with "aegir pm-list".`,
  ERR_MODULE_DEPENDENCY_MISSING: (f) => `Module "${f.module}" depends on "${f.dependency}", which was not found. Add "${f.dependency}" to modules/ or sites/all/modules/.`,
  ERR_MODULE_DEPENDENCY_VERSION: (f) => `Module "${f.module}" needs "${f.dependency}" ${f.range}, but version ${f.version} is present. Install a matching version of "${f.dependency}".`,
  ERR_MODULE_DEPENDENCY_CYCLE: (f) => `Modules depend on each other in a cycle: ${f.cycle}. Remove one of these dependencies.`,
  ERR_MODULE_CORE_INCOMPATIBLE: (f) => `Module "${f.module}" needs framework core ${f.range}, but this is core ${f.version}.`,
  ERR_MODULE_ENTRY_INVALID: (f) => `Module "${f.module}" entry ${f.path} could not be loaded: ${f.problem}.`,
  ERR_MODULE_REQUIRED: (f) => `Module "${f.module}" is required and cannot be ${f.action}.`,
  ERR_MODULE_REQUIRED_BY: (f) => `Module "${f.module}" cannot be ${f.action}: ${f.dependents} depend${String(f.dependents).includes(',') ? '' : 's'} on it. ${f.action === 'disabled' ? 'Disable' : 'Uninstall'} those first.`,
  ERR_MODULE_NOT_INSTALLED: (f) => `Module "${f.module}" is not installed on this site.`,
  ERR_MODULE_IS_PROFILE: (f) => `"${f.module}" is an install profile; profiles are chosen at site-install, not ${f.action}.`,
  ERR_MODULE_INSTALL_FAILED: (f) => `Installing module "${f.module}" failed: ${f.problem}. It and the modules installed with it were rolled back.`,
  ERR_MODULE_LIFECYCLE_FAILED: (f) => `Module "${f.module}" failed while being ${f.action}: ${f.problem}. Nothing was changed.`,
  ERR_UPDATE_FAILED: (f) => `Update ${f.module} #${f.number} failed: ${f.problem}. Earlier updates were recorded; fix the cause and run "aegir updatedb" again.`,

  // Hooks.
  ERR_HOOK_UNKNOWN: (f) => `Hook "${f.hook}" is not declared by core or any enabled module.`,
  ERR_HOOK_DUPLICATE: (f) => `Hook "${f.hook}" is declared by both ${f.first} and ${f.second}. Hook names must be unique; prefix them with the module name.`,
  ERR_HOOK_KIND: (f) => `Hook "${f.hook}" is a ${f.kind} hook and cannot be invoked as ${f.asKind}.`,
  ERR_HOOK_FAILED: (f) => `Module "${f.module}" failed in hook "${f.hook}": ${f.problem}`,
  ERR_HOOK_UNDECLARED: (f) => `Module "${f.module}" implements hook "${f.hook}", which ${f.owner === 'core' ? 'core' : `module "${f.owner}"`} does not declare; ${f.suggestion ? `did you mean "${f.suggestion}"?` : `it declares ${f.declared}.`} Fix the hook name in module "${f.module}".`,
  ERR_HOOK_OWNER_UNKNOWN: (f) => `Module "${f.module}" implements hook "${f.hook}", but no module named "${f.owner}" exists in this codebase, so nothing can ever call it.${f.suggestion ? ` Did you mean "${f.suggestion}"?` : ''} Fix the hook name in module "${f.module}": a hook is named <module>.<name> after the module that declares it.`,

  // Sites and settings.
  ERR_SETTINGS_INVALID: (f) => `Settings file ${f.path} is invalid: ${f.problem}.`,
  ERR_SITES_JSON_INVALID: (f) => `Site aliases file ${f.path} is invalid: ${f.problem}.`,
  ERR_SITE_NOT_FOUND: (f) => `No site directory matches "${f.uri}" in ${f.root}/sites. Install one with "aegir site-install --uri=${f.uri}".`,
  ERR_SITE_NOT_INSTALLED: (f) => `Site ${f.site} is not installed. Run "aegir site-install --uri=${f.uri}" first.`,
  ERR_SITE_EXISTS: (f) => `Site ${f.site} is already installed. Use --force to install over it (its tables are replaced).`,
  ERR_URI_INVALID: (f) => `"${f.uri}" is not a valid site address: ${f.problem}.`,
  ERR_ROOT_INVALID: (f) => `${f.root} is not a codebase root: ${f.problem}. Pass --root with the folder that holds core/, modules/ and sites/.`,
  ERR_ALIAS_INVALID: (f) => `Alias file ${f.path} is invalid: ${f.problem}.`,
  ERR_PROFILE_UNKNOWN: (f) => `No install profile named "${f.profile}" in this codebase. Available: ${f.available}.`,
  ERR_INSTALL_FAILED: (f) => `Installing ${f.site} failed at "${f.step}": ${f.problem}. Everything created was removed.`,

  // Database.
  ERR_DB_URL_INVALID: (f) => `Database URL "${f.url}" is invalid: ${f.problem}. Use sqlite:[path] or mysql://user[:pass]@host[:port]/database.`,
  ERR_DB_UNREACHABLE: (f) => `Cannot reach the ${f.driver} database ${f.target}: ${f.problem}.`,
  ERR_DB_QUERY: (f) => `Database query failed: ${f.problem}.`,
  ERR_SCHEMA_INVALID: (f) => `Schema of module "${f.module}" is invalid: ${f.problem}.`,
  ERR_DUMP_INVALID: (f) => `Dump ${f.file} cannot be imported: ${f.problem}. Nothing was imported; make the dump again with "aegir sql-dump".`,
  ERR_TABLE_EXISTS: (f) => `Table "${f.table}" of module "${f.module}" already exists in the site database. Drop it or uninstall the module that owns it.`,
  ERR_TOOL_MISSING: (f) => `The command "${f.tool}" is needed for ${f.purpose} but was not found. Install ${f.package}.`,
  ERR_TOOL_FAILED: (f) => `${f.tool} failed (exit ${f.code}): ${f.problem}`,

  // Configuration and cache.
  ERR_CONFIG_KEY_INVALID: (f) => `Configuration key "${f.key}" is invalid: use module.name with letters, digits, "_" and ".".`,
  ERR_CONFIG_VALUE_INVALID: (f) => `Value for "${f.key}" is not valid JSON: ${f.problem}. Quote strings or drop --format=json.`,
  ERR_CONFIG_OVERRIDDEN: (f) => `Configuration "${f.key}" is fixed by settings.json (config section) and cannot be changed here. Edit ${f.path}.`,
  ERR_LOCK_HELD: (f) => `"${f.name}" is already running (started ${f.since}). Wait for it to finish.`,

  // Themes and the web.
  ERR_THEME_INVALID: (f) => `Theme file ${f.path} is invalid: ${f.problem}.`,
  ERR_THEME_UNKNOWN: (f) => `No theme named "${f.theme}" in themes/. Available: ${f.available}.`,
  ERR_THEME_ENGINE_UNKNOWN: (f) => `Theme "${f.theme}" needs the theme engine "${f.engine}", which no enabled module provides. Enable the module that provides it (nunjucks is the default).`,
  ERR_ROUTE_INVALID: (f) => `Route "${f.route}" of module "${f.module}" is invalid: ${f.problem}.`,
  ERR_ROUTE_DUPLICATE: (f) => `Route ${f.what} is declared by both ${f.first} and ${f.second}.`,
  ERR_SERVE_FAILED: (f) => `Cannot serve on ${f.where}: ${f.problem}.`,
  ERR_HOST_INVALID: (f) => `The Host header "${f.host}" is not a valid host name: ${f.problem}. Ask for the site by its name, such as example.com or example.com:8080.`,

  // Users and roles.
  ERR_ROLE_INVALID: (f) => `"${f.role}" is not a valid role name: use lower case letters, digits and "_".`,
  ERR_ROLE_UNKNOWN: (f) => `There is no role "${f.role}". List the roles on /admin/people/roles.`,
  ERR_ROLE_BUILTIN: (f) => `The built-in role "${f.role}" cannot be ${f.action}.`,
  ERR_USER_PROTECTED: (f) => `User 1 is the site administrator and cannot be ${f.action}.`,
  ERR_USER_UNKNOWN: (f) => `There is no user ${f.uid} (the account may have been deleted meanwhile).`,
  ERR_USER_ACCESS_DENIED: (f) => `User ${f.uid} cannot be ${f.action} by ${f.who}: it holds roles ${f.who} may not give, or it is user 1. Ask someone with "administer permissions" (or user 1).`,

  // Nodes.
  ERR_NODE_INVALID: (f) => `The ${f.type} node "${f.title}" cannot be saved: ${f.problems}. Correct these fields and save again.`,
  ERR_NODE_TYPE_UNKNOWN: (f) => `No enabled module declares the node type "${f.type}". Enable the module that provides it.`,
  ERR_NODE_TYPE_INVALID: (f) => `Node type "${f.type}" of module "${f.module}" is invalid: ${f.problem}.`,
  ERR_NODE_NOT_FOUND: (f) => `Node ${f.nid} does not exist (it may have been deleted meanwhile).`,

  // Provision: contexts, executors, services, tasks, backups.
  ERR_CONTEXT_UNKNOWN: (f) => `No context "@${f.name}" exists (looked in ${f.where}). Create it with "aegir provision-save @${f.name} --context-type=...".`,
  ERR_CONTEXT_INVALID: (f) => `Context "@${f.name}" is invalid: ${f.problem}.`,
  ERR_CONTEXT_TYPE: (f) => `"@${f.name}" is a ${f.actual} context, but this needs a ${f.expected}.`,
  ERR_CONTEXT_IN_USE: (f) => `Context "@${f.name}" cannot be ${f.action}: ${f.users} still use it.`,
  ERR_SERVICE_UNKNOWN: (f) => `Server "@${f.server}" asks for ${f.service} service "${f.type}", which no enabled module provides (available: ${f.available}).`,
  ERR_SERVICE_DUPLICATE: (f) => `Modules "${f.first}" and "${f.second}" both provide the ${f.kind} service "${f.type}": rename the type in "${f.second}".`,
  ERR_SERVICE_INVALID: (f) => `Module "${f.module}" provides an invalid service: ${f.problem}. Fix its "${f.field}" in "${f.module}".`,
  ERR_SERVICE_FAILED: (f) => `The ${f.service} service on "@${f.server}" failed: ${f.problem}.`,
  ERR_SERVER_UNREACHABLE: (f) => `Cannot reach server "@${f.server}" (${f.target}): ${f.problem}.`,
  ERR_HOST_KEY_MISMATCH: (f) => `The SSH host key of "@${f.server}" (${f.target}) is ${f.actual}, but ${f.expected} was pinned when the server was added. If the server was really reinstalled, verify it by hand and remove ${f.file}; otherwise someone may be intercepting the connection.`,
  ERR_HOST_KEY_UNKNOWN: (f) => `No SSH host key is pinned for "@${f.server}" yet. Run "aegir @${f.server} provision-verify" to pin it.`,
  ERR_TASK_FAILED: (f) => `Task ${f.task} of "@${f.context}" failed at step "${f.step}": ${f.problem}. ${f.undone}`,
  ERR_TASK_BUSY: (f) => f.state === 'interrupted'
    ? `"@${f.context}" is held by task ${f.task} of "@${f.holder}", whose process (pid ${f.pid}) died. Run a task on "@${f.holder}" (aegir @${f.holder} provision-verify) to undo or finish it first.`
    : `"@${f.context}" is busy with task ${f.task} of "@${f.holder}" (pid ${f.pid}). Wait for it to finish.`,
  ERR_JOURNAL_INVALID: (f) => `Task journal ${f.path} cannot be used: ${f.problem}. See what its task had done on the servers, put it right, then remove the file.`,
  ERR_TASK_CANCELLED: (f) => `Task ${f.task} was cancelled (${f.reason}); what it had done was undone.`,
  ERR_TASK_UNKNOWN: (f) => `No enabled module provides the provision task "${f.task}"${f.context ? ` (an interrupted one holds "@${f.context}"; enable the module that provides it and run a task on "@${f.context}" again to undo it)` : ''}. Known tasks: ${f.known}.`,
  ERR_TASK_DUPLICATE: (f) => `Provision task "${f.task}" is declared by both ${f.first} and ${f.second}. Task names must be unique.`,
  ERR_TASK_DEFINITION_INVALID: (f) => `Provision task "${f.task}" of module "${f.module}" is invalid: ${f.problem}. Fix its "${f.field}" in "${f.module}".`,
  ERR_TASK_COMMAND_DUPLICATE: (f) => `Provision tasks "${f.first}" (module "${f.firstModule}") and "${f.second}" (module "${f.secondModule}") both run "${f.command}" on a ${f.on}, so the context could not pick one: give "${f.second}" its own command in "${f.secondModule}".`,
  ERR_TASK_UNDO_FAILED: (f) => `Task ${f.task} of "@${f.context}" failed at step "${f.step}": ${f.problem}. Then its undo failed for: ${f.failed}. Its journal is kept: the next task on "@${f.context}" undoes it again first. ${f.undone}`,
  ERR_FAULT_INJECTED: (f) => `Fault injected at step ${f.step} of task ${f.task} (AEGIR_FAULT).`,
  ERR_PROFILE_MISSING: (f) => `Platform "@${f.platform}" has no install profile "${f.profile}" (it has: ${f.available}).`,
  ERR_SITE_DIR_EXISTS: (f) => `Platform "@${f.platform}" already has a folder sites/${f.site}. Delete or import that site first.`,
  ERR_BACKUP_INVALID: (f) => `Backup ${f.file} cannot be used: ${f.problem}. Nothing was changed.`,
  ERR_DISK_FULL: (f) => `Not enough disk space on "@${f.server}" for ${f.what}: ${f.need} needed, ${f.free} free.`,

  // Hosting: the task queue and its dispatcher.
  ERR_TASK_QUEUED: (f) => `A ${f.task} task is already queued for node ${f.object} (task ${f.nid}). Wait for it, or cancel it first.`,
  ERR_TASK_NOT_CANCELLABLE: (f) => `Task ${f.nid} cannot be cancelled: it is ${f.status}.`,
  ERR_TASK_NOT_RETRYABLE: (f) => `Task ${f.nid} cannot be run again: it is ${f.status}. Only a task that has ended can be retried.`,
  ERR_TASK_ABANDONED: (f) => `Task ${f.nid} was running under a dispatcher that stopped (${f.dispatcher}); the next task on its ${f.kind} undoes what it had done.`,
  ERR_TASK_TYPE_UNKNOWN: (f) => `There is no ${f.task} task for a ${f.kind}${f.known ? ` (there are: ${f.known})` : ''}.`,
  ERR_TASK_NOT_OFFERED: (f) => `A ${f.task} task is not offered for ${f.kind} ${f.object} while it is ${f.status}.`,
  ERR_TASK_HOSTMASTER: (f) => `${f.object} is the hostmaster's own ${f.kind}: the ${f.task} task would take the hosting system itself down, so it is refused.`,
  ERR_TASK_DENIED: (f) => `${f.who} may not queue ${f.task} tasks (it needs the permission "${f.permission}").`,
  ERR_TASK_TYPE_INVALID: (f) => `Task type "${f.task}" of module "${f.module}" is invalid: ${f.problem}. Fix its "${f.field}" in "${f.module}".`,
  ERR_OUTBOX_SENDER_INVALID: (f) => `Module "${f.module}" sends on outbox channel "${f.channel}", which is no machine name: use lower case letters, digits and "_", starting with a letter.`,
  ERR_OUTBOX_SENDER_DUPLICATE: (f) => `Modules "${f.first}" and "${f.second}" both send on outbox channel "${f.channel}": give the one in "${f.second}" a channel of its own.`,
  ERR_TASK_ARGS_INVALID: (f) => `The ${f.task} task cannot be queued: ${f.problems}. Correct these and try again.`,
  ERR_OBJECT_UNKNOWN: (f) => `Node ${f.nid} is no server, platform or site (or it was deleted meanwhile).`,
  ERR_BACKEND_NO_RESULT: (f) => `The back end ended without a result (${f.why}); see the task's log for its last lines.`,
  ERR_OBJECT_IN_USE: (f) => `The ${f.what} cannot be deleted: ${f.problem}.`,
  ERR_QUEUE_LIMIT_INVALID: (f) => `Configuration "${f.key}" is ${f.value}: the task queue needs a whole number from 1 to 256 there. Set it with: aegir --uri=<hostmaster> config-set ${f.key} <N> (or config-delete ${f.key} for the default).`,
  ERR_DISPATCHER_RUNNING: (f) => `Another dispatcher already works on this site's queue (${f.holder}); on SQLite only one may run. Stop it first, or move the hostmaster to MySQL/MariaDB for several.`,

  // Hostmaster install and first run.
  ERR_HOSTMASTER_INSTALLED: (f) => `A hostmaster is installed already (${f.url}, codebase ${f.root}); a second install is refused. Open it, or remove it first.`,
  ERR_HOSTMASTER_ANSWERS_INVALID: (f) => `The hostmaster cannot be installed with these answers: ${f.problems}. Nothing was changed.`,
  ERR_HOSTMASTER_INSTALL_FAILED: (f) => `The hostmaster install failed while it tried to ${f.step}: ${f.cause}. What it had made was taken back; fix the cause and install again.`,
  ERR_HOSTMASTER_TASK_FAILED: (f) => `The ${f.task} task of the install failed. Its last lines: ${f.log}`,
  ERR_HOSTMASTER_MARKER_INVALID: (f) => `The hostmaster marker ${f.path} is damaged: ${f.problem}. Restore it, or remove it if no hostmaster is installed.`,
  ERR_SETUP_TOKEN_INVALID: (f) => `The setup token was refused: ${f.problem}. Use the token the console printed when the wizard started (restart it for a new one).`,

  // Command line.
  ERR_COMMAND_UNKNOWN: (f) => `Unknown command "${f.command}".${f.suggestion ? ` Did you mean "${f.suggestion}"?` : ''} Run "aegir help" for the list.`,
  ERR_COMMAND_DUPLICATE: (f) => `Command "${f.command}" is declared by both ${f.first} and ${f.second}.`,
  ERR_CLI_OPTION_UNKNOWN: (f) => `Unknown option --${f.option} for "${f.command}".${f.suggestion ? ` Did you mean --${f.suggestion}?` : ''} See "aegir ${f.command} --help".`,
  ERR_CLI_OPTION_VALUE: (f) => `Option --${f.option} of "${f.command}": ${f.problem}.`,
  ERR_CLI_OPTION_MISSING: (f) => `Option --${f.option} is required for "${f.command}".`,
  ERR_CLI_ARGUMENT_MISSING: (f) => `"${f.command}" needs the argument <${f.argument}>. See "aegir ${f.command} --help".`,
  ERR_CLI_ARGUMENT_EXTRA: (f) => `"${f.command}" takes ${f.max} argument(s) but got extra "${f.value}".`,
  ERR_CLI_ARGUMENT_INVALID: (f) => `Argument <${f.argument}> of "${f.command}": ${f.problem}.`,
  ERR_SECRET_SOURCE: (f) => `Cannot read the secret for --${f.option} from ${f.source}: ${f.problem}.`,
  ERR_ABORTED: (f) => `${f.what} was cancelled${f.reason ? `: ${f.reason}` : ''}.`,
  ERR_TIMEOUT: (f) => `${f.what} did not finish within ${f.seconds} s.`,
  ERR_PATH_INVALID: (f) => `Path "${f.path}" is not allowed: ${f.problem}.`,
  ERR_NOT_IMPLEMENTED: (f) => `${f.what} is not written yet: ${f.todo}. Write it in ${f.file} (a skeleton made by "aegir module-create").`,

  // Versions (system.versions, vcs_deploy) and the checks they enable.
  ERR_VERSION_INVALID: (f) => `The version "${f.version}" reported for ${f.subject} is not a semantic version of at most 64 characters (such as 1.2.0, or 1.2.0+3.gabc1234 from git). Fix the module that reports it (module.json or a system.versions implementation).`,
  ERR_PLATFORM_OUTPUT_INVALID: (f) => `"${f.command}" of platform @${f.platform} printed no valid report: ${f.problem}. Run "aegir ${f.command} --format=json" in ${f.root} to see what is wrong.`,
  ERR_BACKEND_REPORT_INVALID: (f) => `The back end's report of the ${f.task} task is invalid: ${f.problem}. Nothing of it was recorded; verify again once the back end is fixed.`,
  ERR_TASK_FORCE_DENIED: (f) => `${f.who} may not force a ${f.task} task: only an account with "administer hosting" may. Queue it without force, or ask a hosting administrator.`,
});

/** Any code in the catalogue. */
export type ErrorCode = keyof typeof catalogue;
