/**
 * Synthetic-cohort check (issue 5, "How good it must be"): seeds a large cohort from the demo's own
 * seeded model (src/demo/demo.model.ts; 2,000 clients by default, `--clients N`) into an in-memory
 * PGlite, then computes, exactly as the admin report `GET /api/v1/reports/score-validity` does
 * (src/features/outcomes/score-validity.ts), the dropout score at session 3 against actual dropout
 * (AUC) and the not-on-track alert against later reliable deterioration (sensitivity, specificity).
 *
 * A CHECK OF THE IMPLEMENTATION ON SYNTHETIC DATA, NOT EVIDENCE OF VALIDITY: the model was written
 * so that the factors raise dropout and worsening, so the scores are bound to find them.
 *
 * Run: npm run check:cohort -w @rapport/server [-- --clients 2000]
 */
import { openDatabase } from '../src/db/database';
import { memberships, users } from '../src/db/schema';
import { createOrganisation } from '../src/features/organisations/organisations.queries';
import { seedEpisodeHistory } from '../src/demo/demo.history';
import type { TherapistStyle } from '../src/demo/demo.model';
import { loadEpisodes } from '../src/features/alliance/episode-data';
import { clientAllianceIds } from '../src/features/alliance/alliance.analysis';
import { organisationScoresFor, organisationTrajectories } from '../src/features/alliance/alliance-read.queries';
import { scoreValidity } from '../src/features/outcomes/score-validity';

const argIndex = process.argv.indexOf('--clients');
const count = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 2000;
const SEED = 20261125;
// A fixed "now", so the cohort (and the numbers) are the same on every machine and every day.
const now = new Date('2026-11-25T12:00:00Z');

const started = Date.now();
const database = await openDatabase({ kind: 'pglite' });
await database.migrate();
const { db } = database;
const org = await createOrganisation(db, { name: 'Synthetic cohort', settings: { mfaRequired: false } }, now);
// Six therapists: two experienced who overestimate the alliance, two who are about right, two trainees who underestimate.
const styles = [
  { bias: 0.1, trainee: false },
  { bias: 0.06, trainee: false },
  { bias: 0.01, trainee: false },
  { bias: -0.01, trainee: false },
  { bias: -0.07, trainee: true },
  { bias: -0.05, trainee: true },
];
const therapists: TherapistStyle[] = [];
for (const [i, style] of styles.entries()) {
  const [user] = await db.insert(users).values({ email: `therapist${i}@cohort.test`, displayName: `Therapist ${i}`, createdAt: now }).returning();
  await db.insert(memberships).values({ orgId: org.id, userId: user!.id, role: 'clinician', trainee: style.trainee, experienceYears: style.trainee ? 1 : 12, createdAt: now });
  therapists.push({ userId: user!.id, ...style });
}
const seeded = await db.transaction((tx) => seedEpisodeHistory(tx, { orgId: org.id, now, therapists, count, seed: SEED, emailDomain: 'cohort.test' }));
const seededMs = Date.now() - started;

const list = await loadEpisodes(db, { orgId: org.id, closedOnly: true });
const organisationScores = await organisationScoresFor(db, org.id, clientAllianceIds(list), 3);
const organisationTrajectoriesById = new Map([
  ['phq9', await organisationTrajectories(db, org.id, 'phq9')],
  ['gad7', await organisationTrajectories(db, org.id, 'gad7')],
]);
const fitted = scoreValidity(list, { organisationScores, organisationTrajectories: organisationTrajectoriesById });
const byDefault = scoreValidity(list, { organisationScores, organisationTrajectories: new Map() });
await database.close();

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)} %`);
const fixed = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
console.log(`Synthetic cohort: ${count} clients, seed ${SEED}, ${seeded.responses} responses, ${seeded.closed} closed episodes (seeded in ${(seededMs / 1000).toFixed(1)} s)`);
console.log('A check of the implementation on synthetic data, not evidence of validity.');
console.log(`Dropout score at session 3: AUC ${fixed(fitted.dropout.auc)} for actual dropout (${fitted.dropout.droppedOut} of ${fitted.dropout.episodes} episodes with 3+ attended sessions dropped out)`);
console.log(`  "high" level: sensitivity ${pct(fitted.dropout.highLevel.sensitivity)}, specificity ${pct(fitted.dropout.highLevel.specificity)}`);
console.log(
  `Not on track (PHQ-9, scores 2-4), organisation curves where fitted: sensitivity ${pct(fitted.notOnTrack.sensitivity)}, specificity ${pct(fitted.notOnTrack.specificity)} for reliable deterioration at the last score (${fitted.notOnTrack.deteriorated} of ${fitted.notOnTrack.episodes} episodes deteriorated, ${fitted.notOnTrack.flagged} flagged)`,
);
console.log(`Not on track, documented default curves only: sensitivity ${pct(byDefault.notOnTrack.sensitivity)}, specificity ${pct(byDefault.notOnTrack.specificity)} (${byDefault.notOnTrack.flagged} flagged)`);
if (process.argv.includes('--json')) console.log(JSON.stringify({ fitted, byDefault }, null, 2));
