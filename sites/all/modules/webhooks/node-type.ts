import type { NodeFieldError, NodeFieldValue, NodeTypeDefinition } from '../../../../modules/node/types.js';

/** The endings a webhook may listen to. */
export const STATUSES = ['success', 'warning', 'error', 'cancelled'] as const;

/** A webhook: where to POST, after which tasks, and the secret that signs the body. */
export const webhookType: NodeTypeDefinition = {
  type: 'webhook', label: 'Webhook', titleLabel: 'Name', description: 'Tells another system, by a signed POST, when hosting tasks end.',
  fields: {
    url: { type: 'text', label: 'URL', maxLength: 2000, required: true, description: 'http:// or https:// address that gets a JSON POST after each matching task.' },
    task_types: { type: 'text', label: 'Task types', maxLength: 500, description: 'Comma-separated (install, backup, ...); empty: every task.' },
    statuses: { type: 'text', label: 'Statuses', maxLength: 100, description: `Comma-separated among ${STATUSES.join(', ')}; empty: every ending.` },
    secret: { type: 'text', label: 'Secret', maxLength: 200, required: true, description: 'At least 16 characters. Header X-Aegir-Signature: sha256=<hex HMAC-SHA256 of the body with it>.' },
  },
};

/** A comma-separated field as a list (empty: none). */
export const listOf = (v: NodeFieldValue | undefined): string[] => String(v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** The problems of a webhook's fields, one per field. */
export function checkWebhook(f: Readonly<Record<string, NodeFieldValue>>): NodeFieldError[] {
  const out: NodeFieldError[] = [];
  let url: URL | undefined;
  try { url = new URL(String(f.url)); } catch { /* below */ }
  if (!url || !['http:', 'https:'].includes(url.protocol)) out.push({ field: 'url', message: 'Give an http:// or https:// address.' });
  else if (url.username || url.password) out.push({ field: 'url', message: 'Leave user and password out of the address: the secret signs each request.' });
  const bad = listOf(f.task_types).filter((t) => !/^[a-z][a-z0-9-]{0,63}$/.test(t));
  if (bad.length) out.push({ field: 'task_types', message: `Not a task type name: ${bad.join(', ')}.` });
  const unknown = listOf(f.statuses).filter((s) => !(STATUSES as readonly string[]).includes(s));
  if (unknown.length) out.push({ field: 'statuses', message: `Not an ending: ${unknown.join(', ')} (use ${STATUSES.join(', ')}).` });
  if (String(f.secret ?? '').length < 16) out.push({ field: 'secret', message: 'Give a secret of at least 16 characters.' });
  return out;
}
