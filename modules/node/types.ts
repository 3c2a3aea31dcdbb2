/**
 * The data of the node module: node types with typed fields, and nodes.
 */

import type { RequestContext } from '../../core/http/types.js';
import type { Renderable } from '../../core/theme/renderable.js';

interface NodeFieldBase {
  readonly label: string;
  /** Help text under the field on the node form. */
  readonly description?: string;
  /** A required text must not be empty, a required number must be given, a required checkbox must be checked. */
  readonly required?: boolean;
  /**
   * The field's own rule beyond its type's (a URL's scheme, a list's
   * words): given the normalised value of a field that passed those, the
   * problem to show at the field, or undefined. Runs on every save.
   */
  readonly check?: (value: NodeFieldValue) => string | undefined;
}

/**
 * A field of a node type. Each type takes only the options that apply to it
 * and maps to the form field of the same type, whose rules apply on every
 * save (a text is one line of at most maxLength characters, default 255; a
 * textarea at most maxLength, default 65535; control characters are
 * refused). Values: text, textarea, email and select hold strings ('' when
 * empty), number a number or null, checkbox a boolean, reference the nid of
 * another node or null.
 */
export type NodeFieldDefinition =
  | (NodeFieldBase & { readonly type: 'text'; readonly maxLength?: number })
  | (NodeFieldBase & { readonly type: 'textarea'; readonly maxLength?: number; readonly rows?: number })
  | (NodeFieldBase & { readonly type: 'email' })
  | (NodeFieldBase & { readonly type: 'number'; readonly min?: number; readonly max?: number; readonly integer?: boolean })
  | (NodeFieldBase & { readonly type: 'checkbox' })
  | (NodeFieldBase & { readonly type: 'select'; readonly options: Readonly<Record<string, string>> })
  | NodeReferenceField;

/**
 * A reference to another node: the value is its nid (a positive safe
 * integer) or null. On save the node must exist and be of a target type
 * (checked through 'node.check', outside the transaction); the form offers
 * the target nodes the user may view, the node page links to the referenced
 * node. Deleting the referenced node later leaves the nid in place: the page
 * then shows nothing for it and the next save of the referencing node is
 * refused until it points elsewhere.
 */
export interface NodeReferenceField extends NodeFieldBase {
  readonly type: 'reference';
  /**
   * Machine name(s) of the node types it may point to (`platform`, or
   * `['server', 'platform']`). A type no enabled module declares is allowed:
   * it offers no choices and no node matches it.
   */
  readonly target: string | readonly string[];
}

/** A content type, declared by a module through 'node.types'. */
export interface NodeTypeDefinition {
  /** Machine name: lower case letters, digits and "_" (`page`, `article`). */
  readonly type: string;
  /** Human name (`Basic page`). */
  readonly label: string;
  readonly description: string;
  /** Label of the title field on the form (default `Title`). */
  readonly titleLabel?: string;
  /** Fields by machine name, in form order. Names of node properties (title, status, ...) are reserved. */
  readonly fields: Readonly<Record<string, NodeFieldDefinition>>;
  /**
   * The node's own page instead of its fields in the front-end theme: for
   * types that are records to work with (a site with its tasks and
   * buttons), shown in the admin theme. Runs once access to view the node
   * was granted; its content replaces the default node template.
   */
  readonly page?: (ctx: RequestContext, node: Node) => Promise<Renderable>;
}

/** A node type with the module that declared it. */
export interface NodeType extends NodeTypeDefinition {
  readonly module: string;
  readonly titleLabel: string;
}

/** The value of one field. */
export type NodeFieldValue = string | number | boolean | null;

/** A stored node. Field values are kept as JSON in the `data` column. */
export interface Node {
  readonly nid: number;
  /** Machine name of its node type. */
  type: string;
  title: string;
  /** Author's user id (0: anonymous). */
  uid: number;
  /** Published. */
  status: boolean;
  /** Promoted to the front page. */
  promote: boolean;
  /** Shown before other nodes in lists. */
  sticky: boolean;
  /** Creation and last change, ms since the epoch. */
  created: number;
  changed: number;
  /** Field values by field name; every field of the type is present. */
  fields: Record<string, NodeFieldValue>;
  /** Data 'node.load' implementations attach to a loaded node; never saved. */
  readonly extra: Record<string, unknown>;
}

/**
 * What saveNode takes: a node without `nid` is new. Omitted flags default to
 * published, not promoted, not sticky; omitted fields to their empty value.
 */
export interface NodeInput {
  readonly nid?: number;
  readonly type: string;
  readonly title: string;
  readonly uid?: number;
  readonly status?: boolean;
  readonly promote?: boolean;
  readonly sticky?: boolean;
  /** Creation time to keep (imports); default: now for a new node, unchanged for an existing one. */
  readonly created?: number;
  readonly fields?: Readonly<Record<string, NodeFieldValue>>;
}

/** A node about to be written: presave implementations may change it. */
export interface NodeDraft {
  readonly nid: number | undefined;
  type: string;
  title: string;
  uid: number;
  status: boolean;
  promote: boolean;
  sticky: boolean;
  created: number;
  changed: number;
  fields: Record<string, NodeFieldValue>;
}

/** A validation problem of one field (`title`, a field name, or '' for the whole node). */
export interface NodeFieldError {
  readonly field: string;
  readonly message: string;
}

/** What node access decides about. */
export type NodeOperation = 'view' | 'create' | 'update' | 'delete';
