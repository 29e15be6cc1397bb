import { rmSync, writeFileSync } from 'node:fs';
import type { Config } from './config';
import { createApp } from './app';
import { createLogger } from './lib/logger';
import { systemClock, type Clock } from './lib/clock';
import { createMailer } from './mail/mailer';
import { dataPaths, openConfiguredDatabase, resolveControlToken, resolveSecretKey } from './runtime';
import { DEMO_PASSWORD, DEMO_STAFF, isEmpty, seedDemo } from './demo/demo.seed';
import { demoPendingLinks } from './demo/demo.links';
import { linkUrl } from './features/assignments/assignment-links';
import { createJobRunner } from './jobs/jobs';
import { createSmsTransport } from './notifications/sms';

/**
 * `rapport start`: migrate, seed the demo clinic on first start, listen (printing the demo sign-ins
 * and a few fresh links to questionnaires waiting for a demo client), and run background jobs in
 * the same process. Returns a function that shuts everything down cleanly.
 */
export async function startServer(config: Config, clock: Clock = systemClock): Promise<{ url: string; stop: () => Promise<void> }> {
  const logger = createLogger(config.logLevel);
  const database = await openConfiguredDatabase(config);
  await database.migrate();
  let seeded = false;
  if (config.seedDemo && (await isEmpty(database.db))) {
    await seedDemo(database.db, { now: clock.now() });
    seeded = true;
  }
  const mailer = createMailer(config, clock);
  const sms = createSmsTransport(config);
  const secretKey = resolveSecretKey(config);
  const app = await createApp({
    config,
    db: database.db,
    clock,
    mailer,
    sms,
    logger,
    secretKey,
    ping: database.ping,
    controlToken: resolveControlToken(config),
    ...(database.pglite ? { backup: () => database.pglite!.dumpDataDir('gzip') } : {}),
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  writeFileSync(dataPaths(config.dataDir).serverInfo, JSON.stringify({ pid: process.pid, url }), { mode: 0o600 });

  const runner = config.runJobs ? createJobRunner({ db: database.db, clock, logger, mailer, sms, config, secretKey }) : undefined;
  runner?.start();

  console.log(`Rapport is running at ${url}  (database: ${database.kind === 'pglite' ? `embedded PGlite in ${dataPaths(config.dataDir).pgdata}` : 'PostgreSQL'})`);
  console.log(`API document: ${url}/api/v1/openapi.json`);
  if (config.seedDemo) {
    console.log(`${seeded ? 'Seeded the demo clinic. ' : ''}Demo sign-ins (password "${DEMO_PASSWORD}", no two-step sign-in in the demo clinic):`);
    for (const s of DEMO_STAFF) console.log(`  ${s.role.padEnd(10)} ${s.email}`);
    const links = await demoPendingLinks(database.db, clock.now());
    if (links.length > 0) {
      console.log('Questionnaires waiting for their client (open one as the client would, from their message):');
      for (const link of links) console.log(`  ${link.questionnaires.padEnd(16)} ${linkUrl(url, link.token)}`);
    }
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await runner?.stop();
      await app.close();
      mailer.close();
      await database.close();
      rmSync(dataPaths(config.dataDir).serverInfo, { force: true });
    })());
  return { url, stop };
}
