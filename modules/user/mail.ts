import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SiteContext } from '../../core/site/context.js';

/** An outgoing plain-text mail. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly body: string;
}

/** The folder outgoing mail is written to: `<site>/private/mail`. */
export function mailFolder(site: SiteContext): string {
  return join(site.paths.private, 'mail');
}

/** A header value on one line: CR and LF would let a value add headers of its own. */
function headerValue(v: string): string {
  return v.replace(/[\r\n]+/g, ' ').trim();
}

/** RFC 2047 encoding for a header value that is not plain ASCII. */
function encodeWord(v: string): string {
  return /^[\x20-\x7e]*$/.test(v) ? v : `=?UTF-8?B?${Buffer.from(v, 'utf8').toString('base64')}?=`;
}

/**
 * "Send" a mail: there is no mail server here, so it is written as an RFC
 * 822 message to `<site>/private/mail/<time>-<random>.eml` (mode 0600, the
 * folder 0700), where an operator or a relay picks it up. The log says who
 * it is for and never what it says (it may hold a login link). Returns the
 * file written.
 */
export async function sendMail(site: SiteContext, message: MailMessage): Promise<string> {
  const from = (await site.config.get<string>('system.site_mail')) ?? `noreply@${site.name}`;
  const host = from.split('@')[1] ?? site.name;
  const headers = [
    `From: ${headerValue(from)}`,
    `To: ${headerValue(message.to)}`,
    `Subject: ${encodeWord(headerValue(message.subject))}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${headerValue(host)}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  const body = message.body.replace(/\r?\n/g, '\r\n');
  const folder = mailFolder(site);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const file = join(folder, `${Date.now()}-${randomBytes(6).toString('hex')}.eml`);
  await writeFile(file, `${headers.join('\r\n')}\r\n\r\n${body}\r\n`, { mode: 0o600, flag: 'wx' });
  site.logger.info(`Mail to ${headerValue(message.to)} queued.`);
  return file;
}
