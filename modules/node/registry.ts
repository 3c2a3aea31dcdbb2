import type { Kernel } from '../../core/kernel/kernel.js';
import { nodeError } from './errors.js';
import type { NodeType, NodeTypeDefinition } from './types.js';

const MACHINE = /^[a-z][a-z0-9_]{0,31}$/;
/** Field names that would clash with the node's own properties or form fields. */
export const RESERVED_FIELDS: ReadonlySet<string> = new Set([
  'nid', 'type', 'title', 'uid', 'status', 'promote', 'sticky', 'created', 'changed', 'data', 'extra', 'author',
]);

/**
 * The node types of a kernel by machine name, in module order, collected
 * once per kernel from 'node.types'. A malformed or twice-declared type is
 * ERR_NODE_TYPE_INVALID naming the module.
 */
export function nodeTypes(kernel: Kernel): ReadonlyMap<string, NodeType> {
  return kernel.registry('node.types', () => {
    const out = new Map<string, NodeType>();
    if (!kernel.hooks.has('node.types')) return out;
    for (const { module, value } of kernel.hooks.collect('node.types')) {
      checkType(module, value);
      const prev = out.get(value.type);
      if (prev) throw nodeError('ERR_NODE_TYPE_INVALID', { type: value.type, module, problem: `module "${prev.module}" declares it too` });
      out.set(value.type, Object.freeze({ ...value, module, titleLabel: value.titleLabel ?? 'Title' }));
    }
    return out;
  });
}

/** A node type by name, or undefined when no enabled module declares it. */
export function nodeType(kernel: Kernel, type: string): NodeType | undefined {
  return nodeTypes(kernel).get(type);
}

function checkType(module: string, t: NodeTypeDefinition): void {
  const bad = (problem: string): never => { throw nodeError('ERR_NODE_TYPE_INVALID', { type: String(t.type), module, problem }); };
  if (typeof t.type !== 'string' || !MACHINE.test(t.type)) bad('its machine name must be 1-32 lower case letters, digits and "_", starting with a letter');
  // /node/add/edit would be taken for the edit page of a node "add".
  if (t.type === 'edit' || t.type === 'delete') bad(`"${t.type}" is reserved for node pages`);
  if (typeof t.label !== 'string' || !t.label.trim()) bad('it needs a label');
  if (typeof t.fields !== 'object' || t.fields === null) bad('"fields" must be an object of field definitions');
  for (const [name, f] of Object.entries(t.fields)) {
    if (!MACHINE.test(name)) bad(`field name "${name}" must be 1-32 lower case letters, digits and "_", starting with a letter`);
    if (RESERVED_FIELDS.has(name)) bad(`field name "${name}" is reserved for the node itself`);
    if (typeof f.label !== 'string' || !f.label.trim()) bad(`field "${name}" needs a label`);
    if ((f.type === 'text' || f.type === 'textarea') && f.maxLength !== undefined && !(Number.isInteger(f.maxLength) && f.maxLength > 0)) {
      bad(`field "${name}": maxLength must be a positive integer`);
    }
    if (f.type === 'select' && !Object.keys(f.options ?? {}).length) bad(`field "${name}" needs at least one option`);
    if (f.type === 'number' && f.min !== undefined && f.max !== undefined && f.min > f.max) bad(`field "${name}": min is greater than max`);
    if (f.type === 'reference') {
      const targets: unknown[] = typeof f.target === 'string' ? [f.target] : Array.isArray(f.target) ? f.target : [];
      if (!targets.length || !targets.every((t) => typeof t === 'string' && MACHINE.test(t))) {
        bad(`field "${name}": target must be a node type's machine name or a non-empty list of them`);
      }
    }
    if (!['text', 'textarea', 'email', 'number', 'checkbox', 'select', 'reference'].includes(f.type)) bad(`field "${name}" has unknown type "${String(f.type)}"`);
  }
}
