import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts the real server (`rapport start`) in its own process group on PostgreSQL and resolves once
 * `/healthz` answers. Jobs and the demo are off; `env` adds or overrides variables.
 */
export async function startSpawnedServer(input: { databaseUrl: string; port: number; dataDir: string; env?: Record<string, string> }): Promise<ChildProcess> {
  const { databaseUrl, port, dataDir } = input;
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/cli.ts', 'start'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      RAPPORT_DATA_DIR: dataDir,
      RAPPORT_DEMO: 'false',
      RAPPORT_JOBS: 'false',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ...input.env,
    },
    stdio: 'ignore',
    detached: true,
  });
  // Generous: tsx compiles the server on each start, which takes far longer on a loaded machine.
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return child;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGKILL to the whole process group: no chance to finish anything. */
export function killHard(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
}
