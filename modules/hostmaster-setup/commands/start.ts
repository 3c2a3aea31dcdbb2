import { aegirHome } from '../../../core/cli/aliases.js';
import { defineCommand } from '../../../core/cli/command.js';
import { defaultAnswers } from '../answers.js';
import { detectEnvironment } from '../detect.js';
import { readMarker } from '../marker.js';
import { stopAll, supervise } from '../supervise.js';
import { newSetupToken } from '../token.js';

/**
 * `aegir hostmaster-start` (what `npm start` runs): on a machine without a
 * hostmaster, the first-run wizard behind a one-time setup token printed
 * here; then, and on every later start, the hostmaster and the sites of
 * this machine, kept running until Ctrl-C.
 */
export const hostmasterStart = defineCommand({
  name: 'hostmaster-start',
  description: 'Serve the hostmaster and the sites of this machine (the embedded defaults) until stopped; before the hostmaster is installed, run the first-run web wizard, which asks for a one-time setup token printed here.',
  bootstrap: 'root',
  options: {
    port: { type: 'integer', description: 'Port of the wizard (the hostmaster\'s, by default)', default: 8888, min: 1, max: 65535 },
    host: { type: 'string', description: 'Address the wizard listens on (0.0.0.0 to reach it from other machines)', default: '127.0.0.1', validate: (v: string) => (/^[0-9a-fA-F.:]{2,45}$/.test(v) ? undefined : 'an IP address') },
  },
  examples: ['npm start', 'aegir hostmaster-start --host=0.0.0.0'],
  async run(ctx) {
    const home = aegirHome(ctx.env);
    let marker = readMarker(home);
    if (!marker || marker.root !== ctx.codebase.root || !ctx.codebase.hasSettings(marker.uri)) {
      if (marker && marker.root !== ctx.codebase.root) ctx.logger.warning(`The hostmaster of ${home} runs on ${marker.root}, not on this codebase: start it from there.`);
      const env = await detectEnvironment();
      const { token, expires } = newSetupToken(home);
      const shown = ctx.options.host === '0.0.0.0' ? env.hostname : ctx.options.host === '127.0.0.1' ? 'localhost' : ctx.options.host;
      ctx.logger.success(`No hostmaster is installed yet. Open http://${shown}:${ctx.options.port}/ and type this setup token (it works once, until ${new Date(expires).toISOString().slice(11, 16)} UTC):\n\n    ${token}\n`);
      // Loaded here, not with the command line: the wizard's web server (express) is needed only on a first run.
      const { runWizard } = await import('../wizard/server.js');
      const { installed, stopped } = await runWizard({ codebase: ctx.codebase, env, defaults: defaultAnswers(home), logger: ctx.logger, port: ctx.options.port, host: ctx.options.host });
      if (installed) ctx.logger.success(`The hostmaster is installed at ${installed.url} (${(installed.elapsedMs / 1000).toFixed(1)} s).`);
      if (stopped) {
        // The install started the web server and the hostmaster's app process: a stop ends them too.
        if (installed) await stopAll(home, ctx.logger);
        ctx.logger.notice(`${stopped}: stopped${installed ? '; the next start serves the hostmaster' : ' before anything was installed'}.`);
        return { data: { url: installed?.url ?? null, stopped } };
      }
      marker = readMarker(home)!;
    }
    await supervise(ctx.codebase, marker, home, ctx.logger);
    return { data: { url: marker.url } };
  },
});
