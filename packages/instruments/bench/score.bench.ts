/**
 * Scores 1,000,000 PHQ-9 responses with `scoreResponse` and, in the same run, sums the same answer
 * objects with a plain hand-written loop (no validation). Prints both rates and their ratio; the
 * engine must reach at least a quarter of the plain loop's rate. Run: npm run bench -w @rapport/instruments
 */
import { scoreResponse } from '../src/index';

const RESPONSES = 1_000_000;
const ROUNDS = 7;
const REQUIRED_RATIO = 0.25;
const ITEM_IDS = ['phq9_1', 'phq9_2', 'phq9_3', 'phq9_4', 'phq9_5', 'phq9_6', 'phq9_7', 'phq9_8', 'phq9_9'];

type Answers = Record<string, number | null>;

/** A small deterministic generator (mulberry32), so every run scores the same responses. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(): Answers[] {
  const next = random(20261125);
  const responses: Answers[] = new Array(RESPONSES);
  for (let index = 0; index < RESPONSES; index++) {
    const answers: Answers = {};
    // About 1 item in 60 is unanswered, so some responses are prorated and a few cannot be scored.
    for (const id of ITEM_IDS) answers[id] = next() < 1 / 60 ? null : Math.floor(next() * 4);
    responses[index] = answers;
  }
  return responses;
}

function plainLoop(responses: readonly Answers[]): number {
  let checksum = 0;
  for (let index = 0; index < responses.length; index++) {
    const answers = responses[index] as Answers;
    let sum = 0;
    for (let item = 0; item < ITEM_IDS.length; item++) {
      const value = answers[ITEM_IDS[item] as string];
      if (value != null) sum += value;
    }
    checksum += sum;
  }
  return checksum;
}

function engine(responses: readonly Answers[]): number {
  let checksum = 0;
  for (let index = 0; index < responses.length; index++) {
    const result = scoreResponse('phq9', responses[index] as Answers);
    if (result.total !== null) checksum += result.total;
  }
  return checksum;
}

function time(run: (responses: readonly Answers[]) => number, responses: readonly Answers[]): { seconds: number; checksum: number } {
  const start = process.hrtime.bigint();
  const checksum = run(responses);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, checksum };
}

const responses = generate();
let plainBest = Infinity;
let engineBest = Infinity;
let plainChecksum = 0;
let engineChecksum = 0;
// Alternate the two in every round so that both see the same machine state; keep each one's best round.
for (let round = 0; round < ROUNDS; round++) {
  const plain = time(plainLoop, responses);
  const scored = time(engine, responses);
  plainBest = Math.min(plainBest, plain.seconds);
  engineBest = Math.min(engineBest, scored.seconds);
  plainChecksum = plain.checksum;
  engineChecksum = scored.checksum;
}

const plainRate = RESPONSES / plainBest;
const engineRate = RESPONSES / engineBest;
const ratio = engineRate / plainRate;
const format = (rate: number) => `${Math.round(rate).toLocaleString('en-GB')} responses/s`;
console.log(`PHQ-9, ${RESPONSES.toLocaleString('en-GB')} responses, best of ${ROUNDS} rounds (Node ${process.version})`);
console.log(`  plain loop (sum, no validation): ${format(plainRate)}  [checksum ${plainChecksum}]`);
console.log(`  scoreResponse (validated):       ${format(engineRate)}  [checksum ${engineChecksum.toFixed(2)}]`);
console.log(`  ratio engine/plain: ${ratio.toFixed(3)} (required ≥ ${REQUIRED_RATIO})`);
if (ratio < REQUIRED_RATIO) {
  console.error('FAIL: the engine is below a quarter of the plain loop’s rate');
  process.exitCode = 1;
}
