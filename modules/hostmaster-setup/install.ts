import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AegirError, describe, isAegirError } from '../../core/errors/aegir-error.js';
import type { Logger } from '../../core/logger/logger.js';
import type { Codebase } from '../../core/site/codebase.js';
import { installSite } from '../../core/site/install.js';
import { bootSite, type Site } from '../../core/site/site.js';
import { UndoStack } from '../../core/util/undo.js';
import { loadUserByName } from '../user/accounts.js';
import { oneTimeLoginPath } from '../user/one-time.js';
import { checkAnswers, type HostmasterAnswers } from './answers.js';
import { hostmasterDatabase } from './database.js';
import { folderProblem } from './detect.js';
import { backendLeftovers } from './leftovers.js';
import { readMarker, writeMarker } from './marker.js';
import { makeObjects, runQueue } from './objects.js';

/** What an install reports, step by step. */
export interface InstallProgress {
  step(title: string): void;
}

/** An installed hostmaster. */
export interface Installed {
  /** Its address, as a browser opens it. */
  readonly url: string;
  /** A one-time login link for the first administrator (works once, for 24 hours). */
  readonly loginUrl: string;
  readonly elapsedMs: number;
}

/** What the wizard needs from an install besides the answers. */
export interface InstallOptions {
  /** The port the caller itself listens on and hands over (not "in use" for the check). */
  readonly ownPort?: number;
  /** Runs right before the web server is started. */
  readonly beforeWebServer?: () => Promise<void>;
  /** Told the administrator's one-time login link as soon as it exists (before the web server starts). */
  readonly onLoginLink?: (url: string) => void;
}

/** The address of the hostmaster for these answers. */
export function hostmasterUrl(a: HostmasterAnswers): string {
  return `http://${a.uri}${a.httpPort === 80 ? '' : `:${a.httpPort}`}`;
}

/**
 * Install the hostmaster on this codebase: check the answers (nothing is
 * made when one is wrong: ERR_HOSTMASTER_ANSWERS_INVALID with a problem per
 * field), install the hostmaster site (profile hostmaster; on SQLite, or
 * on a database and user of its own on the MySQL/MariaDB answered), make
 * this machine's server and this codebase's platform as nodes and verify
 * them through the queue, import the hostmaster site itself from the
 * platform (its node, context, route and alias), and end with a one-time
 * login link. A second install where one is installed is
 * ERR_HOSTMASTER_INSTALLED. When a step fails, everything made so far is
 * taken back (the site, the contexts, the processes started) and
 * ERR_HOSTMASTER_INSTALL_FAILED names the step and its cause.
 * The wizard hands its port over in `beforeWebServer`.
 */
export async function installHostmaster(codebase: Codebase, answers: HostmasterAnswers, logger: Logger, progress: InstallProgress, opts: InstallOptions = {}): Promise<Installed> {
  const started = Date.now();
  // A home that is no folder is an answer to correct (checkAnswers names it), not a damaged marker.
  const marker = folderProblem(answers.home) ? undefined : readMarker(answers.home);
  if (marker && existsSync(join(marker.root, 'sites', marker.uri, 'settings.json'))) throw new AegirError('ERR_HOSTMASTER_INSTALLED', { url: marker.url, root: marker.root });
  const problems = await checkAnswers(answers, codebase, opts.ownPort !== undefined ? { ownPort: opts.ownPort } : {});
  if (Object.keys(problems).length) {
    throw new AegirError('ERR_HOSTMASTER_ANSWERS_INVALID', { problems: Object.entries(problems).map(([f, m]) => `${f}: ${m}`).join('; ') });
  }
  const undo = new UndoStack();
  const leftovers = backendLeftovers(answers.home, typeof answers.httpSettings.confDir === 'string' ? [answers.httpSettings.confDir] : []);
  let site: Site | undefined;
  let step = 'install the hostmaster site';
  try {
    progress.step(`Install the hostmaster site (profile hostmaster, ${answers.db === 'mysql' ? 'MySQL/MariaDB' : 'SQLite'})`);
    step = 'make the hostmaster\'s database';
    const database = await hostmasterDatabase(answers);
    undo.push('the hostmaster\'s database', () => database.drop());
    step = 'install the hostmaster site';
    const installed = await installSite({
      codebase, siteDir: answers.uri, database: database.settings, logger,
      input: { profile: 'hostmaster', siteName: 'Hostmaster', siteMail: answers.accountMail, account: { name: answers.accountName, mail: answers.accountMail, pass: randomBytes(24).toString('base64url') } },
    });
    // Booted again below with the hostmaster's modules loaded in their order.
    await installed.close();
    undo.push(`site folder sites/${answers.uri}`, () => rmSync(codebase.sitePath(answers.uri), { recursive: true, force: true }));
    site = await bootSite(codebase, answers.uri, logger);
    await site.config.set('user.base_url', hostmasterUrl(answers));
    undo.push('back-end leftovers', () => leftovers.takeBack());
    step = 'make this machine\'s server and this codebase\'s platform';
    const objects = await makeObjects(site, codebase, answers, progress);
    step = 'make the administrator\'s login link';
    const user = await loadUserByName(site, answers.accountName);
    if (!user) throw new Error(`the account ${answers.accountName} is missing`);
    const loginUrl = `${hostmasterUrl(answers)}${await oneTimeLoginPath(site, user)}`;
    opts.onLoginLink?.(loginUrl);
    step = 'verify the server, the platform and the hostmaster site';
    await opts.beforeWebServer?.();
    await runQueue(site, codebase, answers, progress, objects);
    writeMarker(answers.home, { root: codebase.root, uri: answers.uri, url: hostmasterUrl(answers), installedAt: Date.now() });
    await site.close();
    return { url: hostmasterUrl(answers), loginUrl, elapsedMs: Date.now() - started };
  } catch (e) {
    await site?.close().catch(() => undefined);
    logger.error(`The install failed (${step}): ${describe(e)}. Taking back what it made.`);
    await undo.unwind(logger);
    throw new AegirError('ERR_HOSTMASTER_INSTALL_FAILED', { step, cause: describe(e), causeCode: isAegirError(e) ? e.code : 'none' }, { cause: e });
  }
}
