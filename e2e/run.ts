/**
 * Runs every `e2e/*.e2e.ts` journey in real headless Chromium, one after the other, and prints the
 * totals as the plain line `N passed, N failed`. Each file exports `journeys`: named async
 * functions that throw on failure. Exit code 1 when any failed.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

export type Journey = { name: string; run: () => Promise<void> };

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2];
let passed = 0;
let failed = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.e2e.ts')).sort()) {
  if (filter && !file.includes(filter)) continue;
  const { journeys } = (await import(pathToFileURL(join(dir, file)).href)) as { journeys: Journey[] };
  for (const journey of journeys) {
    const started = Date.now();
    try {
      await journey.run();
      passed++;
      console.log(`✓ ${file} › ${journey.name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed++;
      console.log(`✗ ${file} › ${journey.name} (${Date.now() - started} ms)`);
      console.log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
