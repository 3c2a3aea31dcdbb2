/**
 * The hostmaster of test/modules/hosting/env.ts served over HTTP in this
 * process (createApp + listen on 127.0.0.1, port 0), so that the serving
 * process runs the queue's dispatcher itself (site.serving), and Chromium
 * launched with the hostmaster and the hosted sites resolving to this
 * machine: the hostmaster on its port, hosted sites on the back end's
 * built-in proxy.
 *
 *     const hm = await serveHostmaster('Admin-Pass-1234');  // hm.origin = http://hostmaster.test:PORT
 *     const browser = await launchHostingChromium(hm, ['site-one.test']);
 *     ...
 *     await browser.close(); await hm.stop();
 */
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { createApp } from '../../core/http/app.js';
import { listen, type Running } from '../../core/http/server.js';
import { cli, show } from '../cli/run-helper.js';
import { linkThemes } from '../harness/http.js';
import { hostmasterEnv, type HostmasterEnv } from '../modules/hosting/env.js';
import { launchChromium } from './browser.js';

/** The hostmaster's host name (its folder under sites/). */
export const HOSTMASTER = 'hostmaster.test';

/** A hostmaster served in this process. */
export interface ServedHostmaster {
  readonly h: HostmasterEnv;
  readonly running: Running;
  /** The port the hostmaster listens on (127.0.0.1). */
  readonly port: number;
  /** http://hostmaster.test:PORT */
  readonly origin: string;
  /** Run the back end's command line (in process) against `--uri=<uri>` of the back end's codebase, with its AEGIR_HOME; stdin optional. */
  aegir(uri: string, argv: readonly string[], stdin?: string): ReturnType<typeof cli>;
  /** Run the platform codebase's command line (in process) against a hosted site. */
  platformAegir(uri: string, argv: readonly string[]): ReturnType<typeof cli>;
  stop(): Promise<void>;
}

/**
 * A hostmaster with hosting enabled on a real provision back end (SQLite),
 * its admin's password set to `adminPass`, served on 127.0.0.1 with the
 * dispatcher in this process (AEGIR_HOME is set to the back end's home for
 * as long as it serves).
 */
export async function serveHostmaster(adminPass: string): Promise<ServedHostmaster> {
  const h = await hostmasterEnv('sqlite');
  let running: Running | undefined;
  let closePool: (() => Promise<void>) | undefined;
  const env = { ...process.env, AEGIR_HOME: h.pe.home };
  const aegir = (uri: string, argv: readonly string[], stdin?: string): ReturnType<typeof cli> =>
    cli(h.pe.backend.root, [`--uri=${uri}`, ...argv], { env, ...(stdin !== undefined ? { stdin } : {}) });
  try {
    linkThemes(h.pe.backend);
    const set = await aegir(HOSTMASTER, ['user-password', 'admin', '--password-file=-'], adminPass);
    expect(set.code, show(set)).to.equal(0);
    process.env.AEGIR_HOME = h.pe.home;
    const { app, pool } = createApp({ codebase: h.pe.backend.codebase, logger: h.site.logger });
    closePool = () => pool.closeAll();
    running = await listen(app, { port: 0, host: '127.0.0.1' });
  } catch (e) {
    await closePool?.();
    delete process.env.AEGIR_HOME;
    await h.stop();
    throw e;
  }
  const port = Number(new URL(running.where).port);
  const served = running;
  return {
    h, running, port, origin: `http://${HOSTMASTER}:${port}`, aegir,
    platformAegir: (uri, argv) => cli(h.pe.platform.root, [`--uri=${uri}`, ...argv], { env }),
    async stop() {
      const problems: unknown[] = [];
      for (const step of [() => served.stop(1000), () => closePool?.(), () => h.stop()]) {
        try { await step(); } catch (e) { problems.push(e); }
      }
      delete process.env.AEGIR_HOME;
      if (problems.length) throw problems[0];
    },
  };
}

/**
 * Headless Chromium as test/browser/browser.ts launches it,
 * with the hostmaster resolving to 127.0.0.1 and each hosted site to the
 * back end's built-in proxy: 127.0.0.1 on the proxy's port, whatever port
 * an address names. The port is needed because the one-time login link that provision-login-reset
 * makes names no port (`http://<domain>/user/reset/...`, where the site
 * page's "Open" link names the proxy's), so it reaches the proxy as it
 * would reach port 80 on a real server.
 */
export function launchHostingChromium(hm: ServedHostmaster, sites: readonly string[]): Promise<Browser> {
  return launchChromium([HOSTMASTER, ...sites.map((host) => ({ host, to: `127.0.0.1:${hm.h.pe.proxyPort}` }))]);
}
