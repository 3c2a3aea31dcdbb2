/**
 * Browser test helpers: run the real command line (`bin/aegir`) in a test
 * codebase, keep `aegir serve` running as a child process, and drive
 * Debian's Chromium headless with playwright-core.
 *
 *     const r = await aegir(tc.root, ['site-install', 'standard', '--uri=browser.test']);
 *     const server = await startServe(tc.root);              // server.port
 *     const browser = await launchChromium(['browser.test']); // browser.test resolves to 127.0.0.1
 *     const context = await browser.newContext();
 *     const watch = await watchPages(context);                // console errors, page errors, CSP violations
 *     ...
 *     await browser.close(); await server.stop();
 *
 * Chromium connects to 127.0.0.1:PORT but sends `Host: browser.test:PORT`,
 * which multisite resolution maps to sites/browser.test (there is no
 * sites/PORT.browser.test), as a visitor's browser would.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { REPO } from '../harness/codebase.js';

/** The command line of the repository. */
export const AEGIR = join(REPO, 'bin', 'aegir');
/** Debian's Chromium (package chromium, installed by .ci/run). */
export const CHROMIUM = '/usr/bin/chromium';
/** Time allowed to a command or to the server's start: the launcher rebuilds dist/ when sources changed. */
export const COMMAND_TIMEOUT_MS = 120_000;

/** What a finished command printed. */
export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The spawned program's environment: the test's, minus secrets, with its own home under `cwd`. */
function envFor(cwd: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: cwd, AEGIR_HOME: join(cwd, '.aegir'), NO_COLOR: '1' };
  delete env.AEGIR_DB_PASS;
  delete env.AEGIR_ACCOUNT_PASS;
  delete env.AEGIR_NO_BUILD;
  return env;
}

/** Run `node bin/aegir ...args` in `cwd` (an argument array, no shell). */
export function aegir(cwd: string, args: readonly string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [AEGIR, ...args], { cwd, env: envFor(cwd), timeout: COMMAND_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

/** A command's outcome in words, for assertion messages. */
export const show = (r: Ran): string => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** `aegir serve` running as a child process. */
export interface Served {
  readonly child: ChildProcess;
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited after 10 s. Resolves when it has exited. */
  stop(): Promise<void>;
}

/**
 * Start `node bin/aegir serve --port=0` in `cwd` and wait for the line
 * "Serving the sites of ... at http://127.0.0.1:PORT". Rejects (and kills
 * the child) when it exits first or does not say so in time.
 */
export function startServe(cwd: string): Promise<Served> {
  const child = spawn(process.execPath, [AEGIR, 'serve', '--port=0'], { cwd, env: envFor(cwd), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { void stop(); reject(new Error(`aegir serve did not start in ${COMMAND_TIMEOUT_MS} ms:\n${out}`)); }, COMMAND_TIMEOUT_MS);
    const onData = (c: Buffer): void => {
      out += c.toString();
      const m = /Serving the sites of .* at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), output: () => out, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`aegir serve exited (${code ?? signal}) before serving:\n${out}`)); });
  });
}

/**
 * Launch headless Chromium with each of `hosts` resolving to 127.0.0.1
 * (or, given as { host, to }, to the address and port `to` names) and
 * nothing reaching out on its own (no updates, sync or QUIC).
 */
export async function launchChromium(hosts: readonly (string | { readonly host: string; readonly to: string })[]): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium (.ci/run does)`);
  const rules = hosts.map((h) => (typeof h === 'string' ? `MAP ${h} 127.0.0.1` : `MAP ${h.host} ${h.to}`));
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: 60_000,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
      `--host-resolver-rules=${rules.join(', ')}`,
    ],
  });
}

/** A console message of type error, with the address of the page or resource that caused it. */
export interface ConsoleEntry {
  readonly text: string;
  readonly url: string;
}

/** A CSP violation as the page's `securitypolicyviolation` event reported it. */
export interface CspViolation {
  readonly directive: string;
  readonly blocked: string;
  readonly page: string;
  readonly sample: string;
}

/** What the pages of a context complained about. */
export interface PageWatch {
  readonly consoleErrors: ConsoleEntry[];
  readonly pageErrors: string[];
  readonly cspViolations: CspViolation[];
  /** Messages of alert(), confirm() and prompt() dialogs (each dismissed). */
  readonly dialogs: string[];
}

const BINDING = '__aegirTestCspViolation';

/**
 * Watch every page of a context (open it before creating pages): console
 * errors, uncaught page errors, dialogs, and CSP violations reported by a
 * `securitypolicyviolation` listener added to each document before its own
 * scripts run.
 */
export async function watchPages(context: BrowserContext): Promise<PageWatch> {
  const watch: PageWatch = { consoleErrors: [], pageErrors: [], cspViolations: [], dialogs: [] };
  await context.exposeBinding(BINDING, (_source, v: CspViolation) => { watch.cspViolations.push(v); });
  await context.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => { window.${BINDING}({
      directive: e.violatedDirective, blocked: e.blockedURI, page: e.documentURI, sample: e.sample || '' }); }, true);`,
  });
  context.on('page', (page) => {
    page.on('console', (m) => { if (m.type() === 'error') watch.consoleErrors.push({ text: m.text(), url: m.location().url || page.url() }); });
    page.on('pageerror', (e) => { watch.pageErrors.push(`${page.url()}: ${e.message}`); });
    page.on('dialog', (d) => { watch.dialogs.push(`${d.type()}: ${d.message()}`); void d.dismiss(); });
  });
  return watch;
}
