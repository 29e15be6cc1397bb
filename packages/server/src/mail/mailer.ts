import nodemailer from 'nodemailer';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';
import type { Clock } from '../lib/clock';
import { randomToken } from '../lib/crypto';

export type MailMessage = { to: string; subject: string; text: string; html?: string };

/** How the server sends email. One real implementation per transport; tests use a real SMTP server. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/**
 * SMTP through nodemailer when `SMTP_URL` is set. Without it (the demo), each message is written
 * as an `.eml` file to `<data dir>/outbox/` and its links are printed, so invitations and password
 * resets work with nothing set up.
 */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'dataDir'>, clock: Clock, print: (line: string) => void = console.log): Mailer {
  if (config.smtpUrl) {
    const transport = nodemailer.createTransport(config.smtpUrl);
    return {
      async send(message) {
        await transport.sendMail({ from: config.mailFrom, ...message });
      },
      close: () => transport.close(),
    };
  }
  const outbox = join(config.dataDir, 'outbox');
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(message) {
      const info = await transport.sendMail({ from: config.mailFrom, ...message });
      mkdirSync(outbox, { recursive: true });
      const file = join(outbox, `${clock.now().toISOString().replace(/[:.]/g, '-')}-${randomToken(4)}.eml`);
      writeFileSync(file, info.message as Buffer, { mode: 0o600 });
      const links = message.text.match(/https?:\/\/\S+/g) ?? [];
      print(`[mail] no SMTP_URL set: wrote ${file}${links.length ? `\n[mail] link: ${links.join('\n[mail] link: ')}` : ''}`);
    },
    close: () => transport.close(),
  };
}
