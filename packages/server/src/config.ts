import { z } from 'zod';
import { resolve } from 'node:path';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Every setting Rapport reads from the environment. Parsed once at start-up; a bad value stops
 * start-up with the full list of problems (see {@link loadConfig}).
 */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// address' }).optional(),
  RAPPORT_DATA_DIR: z.string().min(1).default('.rapport'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  SMS_URL: z.url().optional(),
  SMS_ACCOUNT_SID: z.string().min(1).optional(),
  SMS_AUTH_TOKEN: z.string().min(1).optional(),
  SMS_FROM: z.string().min(1).optional(),
  MAIL_FROM: z.string().min(3).default('Rapport <no-reply@rapport.local>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(24 * 7).default(12),
  RAPPORT_ENCRYPTION_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'must be 64 hex characters (32 bytes)')
    .optional(),
  RAPPORT_DEMO: booleanFromEnv.default(true),
  RAPPORT_JOBS: booleanFromEnv.default(true),
  TRUST_PROXY: booleanFromEnv.default(false),
  IMPORT_MAX_MB: z.coerce.number().positive().max(1024).default(20),
});

export type Config = Readonly<{
  port: number;
  host: string;
  /** Origin used in links sent to people and as the only origin allowed to change state. */
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Twilio-compatible SMS API: base URL, account, token and sender; all four or none. */
  sms: { url: string; accountSid: string; authToken: string; from: string } | undefined;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  encryptionKey: string | undefined;
  seedDemo: boolean;
  runJobs: boolean;
  trustProxy: boolean;
  /** Largest file an import (CSV or iCal, `features/imports`) may upload, in bytes; above it the upload stops with 413. */
  importMaxBytes: number;
}>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment once. Throws {@link ConfigError} listing every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // `PORT=` in a compose file or shell means "not set": an empty PORT would otherwise coerce to 0
  // (a random port) and an empty SMTP_URL would be an error instead of the outbox default.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = envSchema.safeParse(given);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  // Checked beside the schema, not after it, so this problem is listed together with the others.
  const smsSet = ['SMS_URL', 'SMS_ACCOUNT_SID', 'SMS_AUTH_TOKEN', 'SMS_FROM'].filter((key) => key in given);
  if (smsSet.length > 0 && smsSet.length < 4) {
    problems.push('SMS_URL, SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM: set all four to send SMS, or none');
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    dataDir: resolve(e.RAPPORT_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    sms: e.SMS_URL ? { url: e.SMS_URL.replace(/\/$/, ''), accountSid: e.SMS_ACCOUNT_SID!, authToken: e.SMS_AUTH_TOKEN!, from: e.SMS_FROM! } : undefined,
    logLevel: e.LOG_LEVEL,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: e.SESSION_ABSOLUTE_HOURS,
    encryptionKey: e.RAPPORT_ENCRYPTION_KEY,
    seedDemo: e.RAPPORT_DEMO,
    runJobs: e.RAPPORT_JOBS,
    trustProxy: e.TRUST_PROXY,
    importMaxBytes: Math.round(e.IMPORT_MAX_MB * 1024 * 1024),
  });
}
