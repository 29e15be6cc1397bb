import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config';
import { openDatabase, type Database } from './db/database';
import { randomToken } from './lib/crypto';
import { randomBytes } from 'node:crypto';

/** Where things live inside the data folder. */
export const dataPaths = (dataDir: string) => ({
  pgdata: join(dataDir, 'pgdata'),
  secretKey: join(dataDir, 'secret.key'),
  controlToken: join(dataDir, 'control.token'),
  serverInfo: join(dataDir, 'server.json'),
  outbox: join(dataDir, 'outbox'),
});

/** Opens the configured database: PostgreSQL when DATABASE_URL is set, else PGlite in the data folder. */
export function openConfiguredDatabase(config: Config): Promise<Database> {
  return config.databaseUrl
    ? openDatabase({ kind: 'postgres', url: config.databaseUrl })
    : openDatabase({ kind: 'pglite', dataDir: dataPaths(config.dataDir).pgdata });
}

/** A file-held secret, created on first use with owner-only permissions. */
function fileSecret(path: string, make: () => string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const value = make();
  writeFileSync(path, value + '\n', { mode: 0o600 });
  return value;
}

/** The encryption key: RAPPORT_ENCRYPTION_KEY, or one generated into the data folder. */
export function resolveSecretKey(config: Config): string {
  if (config.encryptionKey) return config.encryptionKey.toLowerCase();
  mkdirSync(config.dataDir, { recursive: true });
  return fileSecret(dataPaths(config.dataDir).secretKey, () => randomBytes(32).toString('hex'));
}

export function resolveControlToken(config: Config): string {
  mkdirSync(config.dataDir, { recursive: true });
  return fileSecret(dataPaths(config.dataDir).controlToken, () => randomToken(32));
}

export type ServerInfo = { pid: number; url: string };

/** The running server of this data folder, if any (so the CLI can ask it for a backup). */
export function runningServer(config: Config): ServerInfo | null {
  const path = dataPaths(config.dataDir).serverInfo;
  if (!existsSync(path)) return null;
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as ServerInfo;
    process.kill(info.pid, 0);
    return info;
  } catch {
    return null;
  }
}
