import { defineForm } from '../../../core/forms/types.js';
import { redirect, type ParamLoader, type RouteDefinition } from '../../../core/http/types.js';
import { template } from '../../../core/theme/renderable.js';
import { declaredPermissions } from '../permissions.js';
import { createRole, deleteRole, isBuiltInRole, listRoles, loadRole, rolePermissions, setRolePermissions, type Role } from '../roles.js';

/** `/admin/people/roles/:rid/...`: the machine name becomes the role (404 when there is none). */
export const roleLoader: ParamLoader = {
  name: 'user_role',
  load: (value, { site }) => (/^[a-z][a-z0-9_]{0,63}$/.test(value) ? loadRole(site, value) : undefined),
};

/** Roles and their permissions. */
export const roleRoutes: RouteDefinition[] = [
  {
    name: 'user.admin_roles',
    path: '/admin/people/roles',
    title: 'Roles',
    access: { permission: 'administer permissions' },
    tab: { base: 'user.admin_people', title: 'Roles', weight: 5 },
    async form(ctx) {
      const roles = await listRoles(ctx.site);
      return defineForm({
        id: 'user_roles',
        submitLabel: 'Add role',
        fields: {
          list: {
            type: 'markup',
            content: template('user/roles', {
              rows: roles.map((r) => [r.label, r.rid, isBuiltInRole(r.rid) ? 'Built in' : { links: [{ title: 'Delete', href: `/admin/people/roles/${r.rid}/delete` }] }]),
            }),
          },
          label: { type: 'text', label: 'Role name', required: true, maxLength: 128, description: 'Shown to administrators (Content editor).' },
          rid: {
            type: 'text', label: 'Machine name', required: true, maxLength: 64, pattern: /^[a-z][a-z0-9_]*$/,
            patternHint: 'use lower case letters, digits and "_", starting with a letter', description: 'Used internally (content_editor).',
          },
        },
        async validate(v) {
          if (await loadRole(ctx.site, v.rid)) return { rid: 'A role with this machine name exists.' };
        },
        async submit(v) {
          await createRole(ctx.site, { rid: v.rid, label: v.label });
          ctx.message('status', `The role ${v.label} was added.`);
          return redirect('/admin/people/roles');
        },
      });
    },
  },
  {
    name: 'user.admin_role_delete',
    path: '/admin/people/roles/:rid/delete',
    params: { rid: 'user_role' },
    title: (ctx) => `Delete the role ${(ctx.params.rid as Role).label}`,
    access: { check: (ctx) => ctx.account.hasPermission('administer permissions') && !isBuiltInRole((ctx.params.rid as Role).rid) },
    form(ctx) {
      const role = ctx.params.rid as Role;
      return defineForm({
        id: 'user_role_delete',
        submitLabel: 'Delete role',
        danger: true,
        links: [{ title: 'Cancel', href: '/admin/people/roles' }],
        fields: { confirm: { type: 'markup', content: template('user/confirm', { question: `Delete the role ${role.label}?`, note: 'Users with this role lose it and its permissions. This cannot be undone.' }) } },
        async submit() {
          await deleteRole(ctx.site, role.rid);
          ctx.message('status', `The role ${role.label} was deleted.`);
          return redirect('/admin/people/roles');
        },
      });
    },
  },
  {
    name: 'user.admin_permissions',
    path: '/admin/people/permissions',
    title: 'Permissions',
    access: { permission: 'administer permissions' },
    tab: { base: 'user.admin_people', title: 'Permissions', weight: 10 },
    async form(ctx) {
      const roles = await listRoles(ctx.site);
      const declared = declaredPermissions(ctx.site.kernel);
      const granted = await rolePermissions(ctx.site);
      return defineForm({
        id: 'user_admin_permissions',
        submitLabel: 'Save permissions',
        fields: {
          permissions: {
            type: 'grid',
            label: 'Permissions by role',
            description: 'Each column is a role; check what its users may do. Restricted permissions are for trusted roles only.',
            rowsLabel: 'Permission',
            columns: Object.fromEntries(roles.map((r) => [r.rid, r.label])),
            rows: declared.map((p) => ({
              value: p.name, label: p.title, group: p.module,
              ...(p.description ? { description: p.description } : {}),
              ...(p.restricted ? { warning: 'Restricted' } : {}),
            })),
            default: Object.fromEntries(roles.map((r) => [r.rid, declared.map((p) => p.name).filter((n) => granted.get(r.rid)?.has(n))])),
          },
        },
        async submit(v) {
          // Only declared permissions are shown, so only they are revoked: a disabled module's grants stay.
          await setRolePermissions(ctx.site, declared.map((p) => p.name), Object.fromEntries(roles.map((r) => [r.rid, v.permissions[r.rid] ?? []])));
          ctx.site.logger.notice('Role permissions were changed.');
          ctx.message('status', 'The permissions were saved.');
          return redirect('/admin/people/permissions');
        },
      });
    },
  },
];
