import { defineCommand } from '../../../core/cli/command.js';
import { table } from '../../../core/cli/output.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import type { Json } from '../../../core/config/config-store.js';

/** `aegir config-get KEY`: print one configuration value. */
export const configGet = defineCommand({
  name: 'config-get',
  aliases: ['cget'],
  description: 'Print a configuration value (JSON). Exits with an error when it is not set.',
  arguments: [{ name: 'key', description: 'Key such as system.site_name', required: true }],
  bootstrap: 'full',
  async run(ctx) {
    const key = ctx.args.key as string;
    const value = await ctx.site!.config.get(key);
    if (value === undefined) throw new AegirError('ERR_CLI_ARGUMENT_INVALID', { command: 'config-get', argument: 'key', problem: `"${key}" is not set` });
    return { data: value, text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) };
  },
});

/** `aegir config-set KEY VALUE`: set a configuration value. */
export const configSet = defineCommand({
  name: 'config-set',
  aliases: ['cset'],
  description: 'Set a configuration value: a string, or JSON with --input-format=json.',
  arguments: [
    { name: 'key', description: 'Key such as system.site_name', required: true },
    { name: 'value', description: 'The new value', required: true },
  ],
  options: { 'input-format': { type: 'string', description: 'How to read the value', choices: ['string', 'json'], default: 'string' } },
  bootstrap: 'full',
  examples: ['aegir config-set system.site_name "My site"', 'aegir config-set system.cron_interval 3600 --input-format=json'],
  async run(ctx) {
    const key = ctx.args.key as string;
    const text = ctx.args.value as string;
    let value: Json = text;
    if (ctx.options['input-format'] === 'json') {
      try {
        value = JSON.parse(text) as Json;
      } catch (e) {
        throw new AegirError('ERR_CONFIG_VALUE_INVALID', { key, problem: (e as Error).message });
      }
    }
    await ctx.site!.config.set(key, value);
    ctx.logger.success(`${key} set.`);
    return { data: { key, value } };
  },
});

/** `aegir config-delete KEY`: remove a configuration value. */
export const configDelete = defineCommand({
  name: 'config-delete',
  aliases: ['cdel'],
  description: 'Remove a configuration value.',
  arguments: [{ name: 'key', description: 'Key to remove', required: true }],
  bootstrap: 'full',
  async run(ctx) {
    const key = ctx.args.key as string;
    const removed = await ctx.site!.config.delete(key);
    if (removed) ctx.logger.success(`${key} removed.`);
    else ctx.logger.notice(`${key} was not set.`);
    return { data: { key, removed } };
  },
});

/** `aegir config-list [PREFIX]`: list configuration values. */
export const configList = defineCommand({
  name: 'config-list',
  aliases: ['clist'],
  description: 'List configuration values, optionally those whose key starts with a prefix.',
  arguments: [{ name: 'prefix', description: 'Key prefix such as system.' }],
  bootstrap: 'full',
  async run(ctx) {
    const rows = await ctx.site!.config.list((ctx.args.prefix as string | undefined) ?? '');
    return {
      data: rows as unknown as Json,
      text: table(['key', 'value', 'from'], rows.map((r) => [r.key, JSON.stringify(r.value), r.overridden ? 'settings.json' : 'database'])),
    };
  },
});
