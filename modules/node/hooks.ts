import type { Knex } from 'knex';
import { hook } from '../../core/hooks/kinds.js';
import type { Account } from '../../core/http/types.js';
import type { SiteContext } from '../../core/site/context.js';
import type { Node, NodeDraft, NodeFieldError, NodeFieldValue, NodeOperation, NodeTypeDefinition } from './types.js';

/** Payload of the write events: the node, the site, and the transaction every database write must use. */
export interface NodeWriteEvent<N> {
  readonly node: N;
  readonly site: SiteContext;
  /**
   * The open transaction. Write through this, never through `site.db` or
   * `site.config`: only writes through it roll back with the node, and on
   * SQLite (one connection) `site.db` waits for the transaction and hangs.
   */
  readonly db: Knex.Transaction;
  /** Who saves or deletes the node. */
  readonly account: Account;
}

/**
 * Payload of 'node.check': the checked draft (frozen: change a node in
 * 'node.presave', not here), the stored node it replaces, and the list to
 * push problems onto.
 */
export interface NodeCheckEvent {
  readonly node: Readonly<Omit<NodeDraft, 'fields'>> & { readonly fields: Readonly<Record<string, NodeFieldValue>> };
  /** The stored node on an update (as loaded, after 'node.load'); undefined for a new node. */
  readonly original: Node | undefined;
  /** Query through `site.db`: no transaction is open. */
  readonly site: SiteContext;
  /** Who saves the node. */
  readonly account: Account;
  /** Push `{ field, message }` for each problem (field "" for the whole node); any problem stops the save. */
  readonly problems: NodeFieldError[];
}

/** Variables of a node's template, changed by 'node.view'. */
export interface NodeViewVars {
  readonly node: Node;
  /** 'full' on the node's page, 'teaser' in lists. */
  readonly mode: 'full' | 'teaser';
  readonly title: string;
  /** Path of the node's page. */
  readonly url: string;
  readonly typeLabel: string;
  readonly author: string;
  /** Formatted creation date (UTC), and the same as ISO 8601 for a datetime attribute. */
  readonly date: string;
  readonly datetime: string;
  /**
   * Fields in display order; values are plain text, escaped by the template.
   * `paragraphs` is the value split at blank lines, each into its lines, so
   * templates keep a textarea's breaks without HTML built in code.
   */
  fields: {
    readonly name: string; readonly label: string; readonly type: string; readonly value: string; readonly paragraphs: readonly (readonly string[])[];
    /** A reference's link: the path of the node it names (its title is the value). */
    readonly url?: string;
  }[];
  /** Extra plain-text lines modules add under the fields. */
  extras: string[];
}

/**
 * Hooks the node module declares.
 *
 * Save (saveNode), in this order:
 * 1. Outside any transaction: for an update, the stored node is loaded
 *    (`node.load` runs; it is the `original` of `node.update` and of
 *    `node.check`). Then the node's own checks against its type, then
 *    `node.validate` (collect, sync): every module adds problems. Then,
 *    only if none was found (so every field holds a value of its declared
 *    kind), `node.check` (event, async, in module order): implementations
 *    may query the database and push problems. The node module's own
 *    implementation comes first (every module implementing it depends on
 *    node) and checks that each reference field names an existing node of
 *    a target type. Any problem of this step stops the save with
 *    ERR_NODE_INVALID and nothing is written; forms call this step in
 *    their validate and show each problem at its field.
 * 2. A transaction opens:
 *    `node.presave` (the draft may still be changed; the type's checks run
 *    again on what it left, `node.validate` and `node.check` do not) ->
 *    the row is inserted or updated ->
 *    `node.insert` (new node, now with its nid) or `node.update`.
 * 3. The transaction commits.
 *
 * Delete (deleteNode): a transaction { `node.delete` -> the row is deleted } commits.
 *
 * A failure anywhere in a transaction (a hook throwing, the database
 * refusing) rolls it back: nothing of the save or delete stays, neither the
 * node row nor what the hooks wrote through `db`.
 *
 * Load (loadNode, loadNodes, listNodes): the rows are read, then `node.load`
 * runs once on all of them. View: 'node.view' alters the template variables.
 * Access: permissions give a base allow (or nothing), then `node.access`
 * votes; any deny wins, and access needs at least one allow.
 */
export const nodeHooks = {
  /** Node types by module; collected once per kernel. A type declared twice is ERR_NODE_TYPE_INVALID. */
  'node.types': hook.collect<NodeTypeDefinition>('Node types the module declares, with their typed fields; collected once per kernel.'),
  /** Extra checks of a node before it is saved; add one problem per field. Runs outside the transaction. */
  'node.validate': hook.collect<NodeFieldError, { readonly node: NodeDraft; readonly site: SiteContext; readonly account: Account }>(
    'Check a node before it is saved: add {field, message} for each problem (field "" for the whole node). Runs before the transaction; any problem stops the save.'),
  /**
   * Checks that need the database (is this domain taken? does this platform
   * exist?): push problems onto payload.problems. Runs after 'node.validate'
   * found nothing, outside any transaction, in module order; any problem
   * stops the save with ERR_NODE_INVALID. Throwing is a failure of the
   * save, not a problem of the node.
   */
  'node.check': hook.event<NodeCheckEvent>(
    'Check a node against the database before it is saved: push {field, message} onto payload.problems. Runs after node.validate found nothing, outside any transaction; any problem stops the save.'),
  /** First step in the save transaction; the draft may be changed and is checked again afterwards. */
  'node.presave': hook.event<NodeWriteEvent<NodeDraft>>('A node is about to be written (inside the transaction); change the draft here. Throwing rolls the save back.'),
  /** A new node was inserted (inside the transaction, before commit); the node has its nid. */
  'node.insert': hook.event<NodeWriteEvent<Node>>('A new node was inserted, inside the transaction before commit. Write through payload.db; throwing rolls it back.'),
  /** An existing node was updated (inside the transaction, before commit). */
  'node.update': hook.event<NodeWriteEvent<Node> & { readonly original: Node }>('A node was updated, inside the transaction before commit. Write through payload.db; throwing rolls it back.'),
  /** A node is being deleted (inside the transaction, before its row goes). */
  'node.delete': hook.event<NodeWriteEvent<Node>>('A node is being deleted, inside the transaction before its row is removed. Throwing keeps the node.'),
  /** Nodes were loaded: attach data to node.extra. Runs once per load with every node of it. */
  'node.load': hook.event<{ readonly nodes: readonly Node[]; readonly site: SiteContext }>('Nodes were read from the database; attach data in node.extra. Runs once per load, with all its nodes.'),
  /** Change what a node's template shows (full page or teaser). */
  'node.view': hook.alter<NodeViewVars, { readonly site: SiteContext; readonly account: Account }>('Change the template variables of a node being shown (full or teaser).'),
  /** Vote on an operation: 'deny' from any module wins; access needs an allow (the permissions give one). */
  'node.access': hook.vote<{ readonly op: NodeOperation; readonly node?: Node; readonly type: string; readonly account: Account; readonly site: SiteContext }>(
    'May this account view/create/update/delete this node (or create one of this type)? Return "deny" to forbid (wins over any allow), "allow" to grant, or nothing.'),
} as const;

/** Types of the node module's hooks. */
export type NodeHooks = typeof nodeHooks;

declare module '../../core/hooks/hook-map.js' {
  interface HookMap extends NodeHooks {}
}
