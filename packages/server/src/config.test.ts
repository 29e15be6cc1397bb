import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from './config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('the configuration was accepted');
}

describe('configuration', () => {
  it('has working defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
      dataDir: resolve('.rapport'),
      databaseUrl: undefined,
      smtpUrl: undefined,
      mailFrom: 'Rapport <no-reply@rapport.local>',
      sms: undefined,
      logLevel: 'info',
      sessionIdleMinutes: 30,
      sessionAbsoluteHours: 12,
      encryptionKey: undefined,
      seedDemo: true,
      runJobs: true,
      trustProxy: false,
      importMaxBytes: 20 * 1024 * 1024,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every setting from the environment', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://rapport.example/',
      RAPPORT_DATA_DIR: '/var/lib/rapport',
      DATABASE_URL: 'postgres://rapport@db/rapport',
      SMTP_URL: 'smtps://mail.example:465',
      SESSION_IDLE_MINUTES: '15',
      SESSION_ABSOLUTE_HOURS: '8',
      RAPPORT_ENCRYPTION_KEY: 'ab'.repeat(32),
      RAPPORT_DEMO: 'no',
      RAPPORT_JOBS: '0',
      TRUST_PROXY: 'true',
      IMPORT_MAX_MB: '5',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      publicUrl: 'https://rapport.example',
      dataDir: '/var/lib/rapport',
      databaseUrl: 'postgres://rapport@db/rapport',
      smtpUrl: 'smtps://mail.example:465',
      sessionIdleMinutes: 15,
      sessionAbsoluteHours: 8,
      seedDemo: false,
      runJobs: false,
      trustProxy: true,
      importMaxBytes: 5 * 1024 * 1024,
    });
  });

  it('lists every bad value in one error', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      PUBLIC_URL: 'not a url',
      DATABASE_URL: 'mysql://db/rapport',
      SMTP_URL: 'http://mail.example',
      LOG_LEVEL: 'loud',
      SESSION_IDLE_MINUTES: '0',
      RAPPORT_ENCRYPTION_KEY: 'too-short',
      RAPPORT_DEMO: 'maybe',
      SMS_URL: 'https://sms.example',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'PORT',
      'PUBLIC_URL',
      'DATABASE_URL',
      'SMTP_URL',
      'LOG_LEVEL',
      'SESSION_IDLE_MINUTES',
      'RAPPORT_ENCRYPTION_KEY',
      'RAPPORT_DEMO',
      'SMS_URL, SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM',
    ]);
    expect(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(/Invalid configuration:\n {2}- PORT: .*\n {2}- LOG_LEVEL: /);
  });

  it('treats an empty variable as unset instead of as a value', () => {
    const config = loadConfig({ PORT: '', SMTP_URL: '', DATABASE_URL: '', PUBLIC_URL: '' });
    expect(config).toMatchObject({ port: 3000, smtpUrl: undefined, databaseUrl: undefined, publicUrl: 'http://localhost:3000' });
  });

  it.each(['ftp://rapport.example', 'javascript:alert(1)', 'mailto:admin@rapport.example'])('refuses PUBLIC_URL %s: links and the allowed origin must be http(s)', (url) => {
    expect(problemsOf({ PUBLIC_URL: url })).toEqual([expect.stringMatching(/^PUBLIC_URL: /)]);
  });
});
