import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestSmtp } from '../../test/smtp';
import { ManualClock } from '../lib/clock';
import { createMailer } from './mailer';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const message = {
  to: 'someone@clinic.test',
  subject: 'Set your Rapport password',
  text: 'Welcome.\n\nOpen this link within 7 days:\nhttp://rapport.test/accept-invitation#token=abc123_DEF-456\n\nThanks.',
};

describe('mailer', () => {
  it('delivers through SMTP when SMTP_URL is set', async () => {
    const smtp = await startTestSmtp();
    const mailer = createMailer({ smtpUrl: smtp.url, mailFrom: 'Rapport <no-reply@rapport.test>', dataDir: '/nonexistent' }, new ManualClock());
    try {
      await mailer.send(message);
      const [received] = await smtp.waitFor(1);
      expect(received!.to).toEqual(['someone@clinic.test']);
      expect(received!.subject).toBe('Set your Rapport password');
      expect(received!.raw).toMatch(/^From: Rapport <no-reply@rapport\.test>/m);
      expect(received!.text).toContain('http://rapport.test/accept-invitation#token=abc123_DEF-456');
    } finally {
      mailer.close();
      await smtp.close();
    }
  });

  it('without SMTP_URL writes an .eml file to <data dir>/outbox and prints its links', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rapport-mail-'));
    dirs.push(dataDir);
    const printed: string[] = [];
    const mailer = createMailer({ smtpUrl: undefined, mailFrom: 'Rapport <no-reply@rapport.test>', dataDir }, new ManualClock('2026-03-02T09:00:00Z'), (line) => printed.push(line));
    await mailer.send(message);
    mailer.close();

    const outbox = join(dataDir, 'outbox');
    const files = readdirSync(outbox);
    expect(files).toEqual([expect.stringMatching(/^2026-03-02T09-00-00-000Z-.+\.eml$/)]);
    const file = join(outbox, files[0]!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const eml = readFileSync(file, 'utf8');
    expect(eml).toMatch(/^To: someone@clinic\.test$/m);
    expect(eml).toMatch(/^Subject: Set your Rapport password$/m);
    expect(eml).toContain('accept-invitation#token=abc123_DEF-456');

    const output = printed.join('\n');
    expect(output).toContain(file);
    expect(output).toContain('[mail] link: http://rapport.test/accept-invitation#token=abc123_DEF-456');
  });
});
