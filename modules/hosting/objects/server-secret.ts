import { join } from 'node:path';
import { aegirHome } from '../../../core/cli/aliases.js';
import type { FormAlterContext, FormDefinition } from '../../../core/forms/types.js';
import { HttpError } from '../../../core/http/types.js';
import { runBackend } from '../../drush-bridge/run.js';
import { serverSave } from '../tasks/contexts.js';
import { servicesOf } from './sync.js';

/**
 * The server form asks for the database admin password, which the front
 * end never stores: on submit it goes straight to the back end
 * (`provision-save ... --db-admin-pass-file=-`, on standard input), which
 * keeps it as a secret of mode 0600; then the node is saved as usual.
 * Left empty, the back end keeps the password it has. A refusal of the
 * back end stops the save with its message.
 */
export function askDbAdminPassword(form: FormDefinition, ctx: FormAlterContext): FormDefinition {
  if (ctx.formId !== 'node_server_form') return form;
  const submit = form.submit;
  return {
    ...form,
    fields: {
      ...form.fields,
      db_admin_pass: { type: 'password', label: 'Database admin password', autocomplete: 'new-password',
        description: 'For a MySQL/MariaDB service: the password of its admin account. The back end keeps it as a secret; this site never stores it. Leave empty to keep the one it has.' },
    },
    async submit(values, request) {
      const pass = typeof values.db_admin_pass === 'string' ? values.db_admin_pass : '';
      if (pass) {
        const f = values as Record<string, string | number | boolean | null>;
        const save = serverSave({ context: f.context, host: f.host, ssh_user: f.ssh_user || null, ssh_port: f.ssh_port || null, services: JSON.stringify(servicesOf(f)) });
        const out = await runBackend({
          aegirBin: join(request.site.root, 'bin', 'aegir'), home: aegirHome(process.env), command: 'provision-save', context: save.name,
          options: { ...save.options, 'db-admin-pass-file': '-', quiet: true }, stdin: pass, onLog: () => undefined,
        });
        if (out.result?.status !== 'success') throw new HttpError(422, `The back end did not take the server's settings: ${out.result?.error?.message ?? 'it ended without a result'}`);
      }
      return submit(values, request);
    },
  };
}
