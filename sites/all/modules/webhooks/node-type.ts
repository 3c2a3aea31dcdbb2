import type { NodeFieldValue, NodeTypeDefinition } from '../../../../modules/node/types.js';

/** The endings a webhook may listen to. */
export const STATUSES = ['success', 'warning', 'error', 'cancelled'] as const;

/** A comma-separated field as a list (empty: none). */
export const listOf = (v: NodeFieldValue | undefined): string[] => String(v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** The problem of a URL, or undefined: http(s) only, no user or password in it. */
function urlProblem(text: string): string | undefined {
  let url: URL | undefined;
  try { url = new URL(text); } catch { /* below */ }
  if (!url || !['http:', 'https:'].includes(url.protocol)) return 'Give an http:// or https:// address.';
  return url.username || url.password ? 'Leave user and password out of the address: the secret signs each request.' : undefined;
}

/** The words of a list field that fail `ok`, as the field's problem. */
const badWords = (v: NodeFieldValue, ok: (w: string) => boolean, say: string): string | undefined => {
  const bad = listOf(v).filter((w) => !ok(w));
  return bad.length ? `${say}: ${bad.join(', ')}.` : undefined;
};

/** A webhook: where to POST, after which tasks, and the secret that signs the body. */
export const webhookType: NodeTypeDefinition = {
  type: 'webhook', label: 'Webhook', titleLabel: 'Name', description: 'Tells another system, by a signed POST, when hosting tasks end.',
  fields: {
    url: { type: 'text', label: 'URL', maxLength: 2000, required: true, description: 'http:// or https:// address that gets a JSON POST after each matching task.', check: (v) => urlProblem(String(v)) },
    task_types: { type: 'text', label: 'Task types', maxLength: 500, description: 'Comma-separated (install, backup, ...); empty: every task.',
      check: (v) => badWords(v, (t) => /^[a-z][a-z0-9-]{0,63}$/.test(t), 'Not a task type name') },
    statuses: { type: 'text', label: 'Statuses', maxLength: 100, description: `Comma-separated among ${STATUSES.join(', ')}; empty: every ending.`,
      check: (v) => badWords(v, (s) => (STATUSES as readonly string[]).includes(s), 'Not an ending') },
    secret: { type: 'text', label: 'Secret', maxLength: 200, required: true, description: 'At least 16 characters. Header X-Aegir-Signature: sha256=<hex HMAC-SHA256 of the body with it>.',
      check: (v) => (String(v).length < 16 ? 'Give a secret of at least 16 characters.' : undefined) },
  },
};
