import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import * as cookie from 'cookie';
import express, { type Request, type Response } from 'express';
import { describe, isAegirError } from '../../../core/errors/aegir-error.js';
import type { Logger } from '../../../core/logger/logger.js';
import type { Codebase } from '../../../core/site/codebase.js';
import { checkAnswers, type AnswerProblems, type HostmasterAnswers } from '../answers.js';
import type { Environment } from '../detect.js';
import { installHostmaster, type Installed } from '../install.js';
import { consumeSetupToken, dropSetupToken, TOKEN_TRIES_PER_MINUTE } from '../token.js';
import { answersFrom } from './answers-form.js';
import { answersPage, progressPage, tokenPage } from './pages.js';

const COOKIE = 'aegir_setup';
/** How long the wizard keeps its port, once the login link exists, for the browser to fetch it before the hostmaster takes over. */
const HANDOVER_WAIT_MS = 10_000;

/** What the wizard needs. */
export interface WizardOptions {
  readonly codebase: Codebase;
  readonly env: Environment;
  readonly defaults: HostmasterAnswers;
  readonly logger: Logger;
  readonly port: number;
  readonly host: string;
}

function headers(res: Response): void {
  res.setHeader('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'");
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  // Tells wizard.js that the wizard (not yet the hostmaster) answered.
  res.setHeader('X-Aegir-Setup', '1');
}

const same = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The first-run web wizard: a small server of its own on the hostmaster's
 * port. It asks for the one-time setup token the console printed (a wrong
 * one is refused, at most TOKEN_TRIES_PER_MINUTE a minute; the right one
 * is used up and gives this browser a session cookie), then for what could
 * not be detected, checks the answers (each problem at its field, nothing
 * made), installs, hands its port over to the hostmaster's web server, and
 * resolves once the hostmaster runs. A failed install takes back what it
 * made and shows the form again with the cause. SIGTERM or SIGINT before
 * an install ends the wizard; during one, the install finishes (or is
 * taken back) first, and the outcome says it was stopped.
 */
export function runWizard(o: WizardOptions): Promise<WizardOutcome> {
  let session: string | undefined;
  const csrf = randomBytes(24).toString('base64url');
  let tries: number[] = [];
  let answers = o.defaults;
  let problems: AnswerProblems = {};
  let steps: string[] = [];
  let loginUrl: string | undefined;
  let linkFetched = false;
  let installing = false;
  let server: Server | undefined;
  let stopped: NodeJS.Signals | undefined;
  let settle: (done: WizardOutcome) => void = () => undefined;
  const done = new Promise<WizardOutcome>((r) => { settle = r; });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopped) return;
    stopped = signal;
    if (installing) o.logger.warning(`${signal}: the install under way finishes (or is taken back) first; then what it started stops.`);
    else void close().then(() => finish({ stopped: signal }));
  };
  const finish = (outcome: WizardOutcome): void => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    settle(outcome);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const hasSession = (req: Request): boolean => !!session && same(cookie.parse(req.headers.cookie ?? '')[COOKIE] ?? '', session);
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => { headers(res); next(); });
  app.use('/themes/:theme/assets', (req, res, next) => {
    if (!/^(admin|base)$/.test(String(req.params.theme))) return next();
    return express.static(join(o.codebase.root, 'themes', String(req.params.theme), 'assets'), { fallthrough: false, dotfiles: 'deny', index: false })(req, res, next);
  });
  app.get('/setup/wizard.js', (_req, res) => res.sendFile(join(o.codebase.root, 'modules', 'hostmaster-setup', 'assets', 'wizard.js')));
  app.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }));

  app.post('/setup/token', (req, res) => {
    const now = Date.now();
    tries = tries.filter((t) => now - t < 60_000);
    if (tries.length >= TOKEN_TRIES_PER_MINUTE) return void res.status(429).type('html').send(tokenPage('Too many wrong tokens: wait a minute and try again.'));
    try {
      consumeSetupToken(o.defaults.home, String((req.body as Record<string, unknown>).token ?? ''));
    } catch (e) {
      tries.push(now);
      o.logger.warning(`A wrong setup token was typed from ${req.socket.remoteAddress ?? 'somewhere'}.`);
      return void res.status(403).type('html').send(tokenPage(isAegirError(e) ? e.message : describe(e)));
    }
    session = randomBytes(32).toString('base64url');
    res.setHeader('Set-Cookie', cookie.serialize(COOKIE, session, { httpOnly: true, sameSite: 'strict', path: '/' }));
    res.redirect(303, '/');
  });

  app.post('/setup/install', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    if (!hasSession(req) || !same(String(body.csrf ?? ''), csrf)) return void res.status(403).type('html').send(tokenPage('Start again with the setup token.'));
    if (installing) return void res.redirect(303, '/');
    answers = answersFrom(body, o.defaults);
    problems = await checkAnswers(answers, o.codebase, { ownPort: o.port });
    if (Object.keys(problems).length) return void res.status(422).type('html').send(answersPage(answers, o.env, csrf, problems));
    installing = true;
    steps = [];
    loginUrl = undefined;
    linkFetched = false;
    void installHostmaster(o.codebase, answers, o.logger, { step: (t) => { steps.push(t); o.logger.info(t); } }, {
      ownPort: o.port,
      onLoginLink: (url) => { loginUrl = url; },
      // The hostmaster's web server takes this port over: stop listening first, once the browser has the login link (or after a while).
      beforeWebServer: async () => {
        if (answers.httpPort !== o.port) return;
        const until = Date.now() + HANDOVER_WAIT_MS;
        while (!linkFetched && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
        await close();
      },
    }).then((installed) => {
      dropSetupToken(o.defaults.home);
      void close().then(() => finish({ installed, ...(stopped ? { stopped } : {}) }));
    }, async (e: unknown) => {
      problems = { '': isAegirError(e) ? e.message : describe(e) };
      installing = false;
      o.logger.error(problems['']!);
      if (stopped) return void close().then(() => finish({ stopped }));
      if (!server) await listenNow();
    });
    res.redirect(303, '/');
  });

  app.get('/setup/progress.json', (req, res) => {
    if (!hasSession(req)) return void res.status(403).json({ error: 'no session' });
    if (loginUrl) linkFetched = true;
    res.json({ steps, login: loginUrl ?? null, installing, failed: problems[''] ?? null });
  });

  app.get(/.*/, (req, res) => {
    if (!hasSession(req)) return void res.type('html').send(tokenPage());
    if (installing) return void res.type('html').send(progressPage(steps, loginUrl, undefined));
    res.status(problems[''] ? 422 : 200).type('html').send(answersPage(answers, o.env, csrf, problems));
  });

  function listenNow(): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = app.listen(o.port, o.host, () => { server = s; resolve(); });
      s.once('error', reject);
    });
  }
  function close(): Promise<void> {
    const s = server;
    server = undefined;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => { s.close(() => resolve()); s.closeAllConnections(); });
  }
  return listenNow().then(() => done, (e: unknown) => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    throw e;
  });
}

/** How the wizard ended: the hostmaster installed, stopped by a signal, or both (stopped during the install, which finished first). */
export interface WizardOutcome {
  readonly installed?: Installed;
  readonly stopped?: NodeJS.Signals;
}
