#!/usr/bin/env node
// `npm run dev:web`: the API (with the demo clinic) on :3000 and the Vite dev server with hot
// reload on :5173, proxying /api, /q, /kiosk, /healthz and /fhir to the API. One command, one Ctrl-C.
// Already running the API elsewhere? Set RAPPORT_API_URL=http://host:port and only Vite starts.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const web = fileURLToPath(new URL('..', import.meta.url));
const repo = fileURLToPath(new URL('../../..', import.meta.url));

let api = null;
if (!process.env.RAPPORT_API_URL) {
  api = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/cli.ts', 'start'], { cwd: repo, stdio: 'inherit', env: process.env });
  api.on('exit', (code) => {
    console.error(`The API stopped (exit ${code}).`);
    process.exit(code ?? 1);
  });
}

const server = await createServer({ root: web, configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)) });
await server.listen();
server.printUrls();
console.log('Open the Local address above; sign in with a demo account printed by the API.');

const stop = async () => {
  await server.close();
  api?.kill('SIGTERM');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
