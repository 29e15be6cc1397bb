import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/database';
import { appointments, careTeamMembers, clientConsents, clients, episodes, memberships, programmes, users } from '../db/schema';
import { hashPassword } from '../auth/passwords';
import { createOrganisation } from '../features/organisations/organisations.queries';
import { seededRandom } from '../lib/random';
import { seedDemoResponses } from './demo.responses';
import { seedDemoDelivery } from './demo.delivery';
import { seedEpisodeHistory } from './demo.history';
import { raiseDemoAlerts } from './demo.alerts';
import { seedDemoFollowUp } from './demo.followup';
import type { PresentingProblem } from '../features/episodes/episodes.schema';

/** The demo sign-ins printed at start-up. Demo only: MFA is off for the demo clinic. */
export const DEMO_PASSWORD = 'rapport-demo-2026';
export const DEMO_STAFF = [
  { email: 'admin@demo.rapport.local', displayName: 'Alex Admin', role: 'admin', experienceYears: 10, trainee: false },
  { email: 'supervisor@demo.rapport.local', displayName: 'Sam Supervisor', role: 'supervisor', experienceYears: 18, trainee: false },
  { email: 'morgan@demo.rapport.local', displayName: 'Dr Morgan Reyes', role: 'clinician', experienceYears: 15, trainee: false },
  { email: 'jordan@demo.rapport.local', displayName: 'Jordan Lee', role: 'clinician', experienceYears: 1, trainee: true },
] as const;

const GIVEN = ['Amara', 'Ben', 'Chloé', 'Dev', 'Elena', 'Finn', 'Grace', 'Hugo', 'Isla', 'Jamal', 'Kai', 'Léa', 'Mina', 'Noah', 'Olu', 'Priya', 'Quentin', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wen', 'Yusuf'];
const FAMILY = ['Adeyemi', 'Bernard', 'Costa', 'Dubois', 'Evans', 'Fischer', 'García', 'Hughes', 'Ito', 'Johnson', 'Khan', 'Lambert', 'Mensah', 'Novak', "O'Brien", 'Patel'];
// Codes from the episodes feature's closed list (facts.md B2).
const PROBLEMS: PresentingProblem[] = ['depression', 'gad', 'mixed', 'depression', 'social_anxiety', 'panic'];

export type DemoOptions = {
  now: Date;
  clients?: number;
  seed?: number;
  /** Past clients with finished episodes (issue 5: outcomes, calibration, the validity report); default 60. */
  pastClients?: number;
};

/** True when the database has no organisation yet (first start). */
export async function isEmpty(db: Db): Promise<boolean> {
  const result = await db.execute<{ n: number }>(sql`select count(*)::int as n from organisations`);
  return Number((result as unknown as { rows: { n: number }[] }).rows[0]?.n ?? 0) === 0;
}

/**
 * Seeds the demo clinic from a seeded model, so it is the same on every machine: staff (an
 * experienced therapist and a trainee), clients with consent, care teams, episodes and weekly
 * appointments around `now`. Later features extend this one generator.
 */
export async function seedDemo(db: Db, options: DemoOptions): Promise<{ orgId: string }> {
  const rnd = seededRandom(options.seed ?? 20261125);
  const now = options.now;
  const day = 86_400_000;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return db.transaction(async (tx) => {
    const org = await createOrganisation(
      tx,
      {
        name: 'Riverside Psychological Therapies (demo)',
        settings: {
          mfaRequired: false,
          crisisResources: 'If you are in danger now, call 999 (UK) or 112 (EU). Samaritans: 116 123, any time, free.',
        },
      },
      now,
    );
    const [programme] = await tx.insert(programmes).values({ orgId: org.id, name: 'Adult talking therapies', createdAt: now }).returning();
    const staff: Record<string, string> = {};
    for (const s of DEMO_STAFF) {
      const [u] = await tx
        .insert(users)
        .values({ email: s.email, displayName: s.displayName, passwordHash, createdAt: now, passwordChangedAt: now })
        .returning();
      await tx.insert(memberships).values({ orgId: org.id, userId: u!.id, role: s.role, experienceYears: s.experienceYears, trainee: s.trainee, createdAt: now });
      staff[s.email] = u!.id;
    }
    const clinicians = [staff['morgan@demo.rapport.local']!, staff['jordan@demo.rapport.local']!];
    const count = options.clients ?? 24;
    for (let i = 0; i < count; i++) {
      const given = GIVEN[i % GIVEN.length]!;
      const family = FAMILY[(i * 7) % FAMILY.length]!;
      const clinicianId = clinicians[i % 2]!;
      const [client] = await tx
        .insert(clients)
        .values({
          orgId: org.id,
          givenName: given,
          familyName: family,
          email: `${given.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}.${i}@example.org`,
          mobile: `+4477009${String(100000 + i).slice(1)}`,
          language: i % 5 === 0 ? 'fr' : 'en',
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const c = client!;
      await tx.insert(careTeamMembers).values({ orgId: org.id, clientId: c.id, userId: clinicianId, addedAt: now });
      await tx.insert(clientConsents).values([
        { orgId: org.id, clientId: c.id, channel: 'email', granted: true, recordedBy: clinicianId, recordedAt: now },
        { orgId: org.id, clientId: c.id, channel: 'sms', granted: rnd.chance(0.6), recordedBy: clinicianId, recordedAt: now },
      ]);
      const weeksIn = rnd.int(0, 12);
      const start = new Date(now.getTime() - weeksIn * 7 * day);
      const [episode] = await tx
        .insert(episodes)
        .values({
          orgId: org.id,
          clientId: c.id,
          programmeId: programme!.id,
          primaryClinicianId: clinicianId,
          presentingProblem: rnd.pick(PROBLEMS),
          startedOn: start.toISOString().slice(0, 10),
          createdAt: now,
        })
        .returning();
      const slot = 9 + (i % 8);
      for (let w = 0; w <= weeksIn + 1; w++) {
        const startsAt = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + w * 7, slot));
        const past = startsAt.getTime() < now.getTime();
        await tx.insert(appointments).values({
          orgId: org.id,
          clientId: c.id,
          episodeId: episode!.id,
          clinicianId,
          startsAt,
          kind: w === 0 ? 'assessment' : 'treatment',
          status: past ? (rnd.chance(0.1) ? 'did_not_attend' : 'attended') : 'scheduled',
          createdAt: now,
          updatedAt: now,
        });
      }
    }
    const { blindSessions } = await seedDemoResponses(tx, { orgId: org.id, now, seed: options.seed });
    await seedDemoDelivery(tx, { orgId: org.id, now, seed: options.seed, blindSessions });
    // Issue 5: the clinic's past (finished episodes: completed, dropped out, referred on) from the
    // same seeded model (demo.model.ts), then today's alerts. Dr Reyes overestimates the alliance,
    // the trainee underestimates; Dr Reyes lets supervisors see the calibration report.
    const morgan = staff['morgan@demo.rapport.local']!;
    const jordan = staff['jordan@demo.rapport.local']!;
    await seedEpisodeHistory(tx, {
      orgId: org.id,
      now,
      therapists: [
        { userId: morgan, bias: 0.1, trainee: false },
        { userId: jordan, bias: -0.07, trainee: true },
      ],
      count: options.pastClients ?? 60,
      seed: (options.seed ?? 20261125) ^ 0x4157,
      programmeId: programme!.id,
    });
    await tx.update(memberships).set({ calibrationConsent: true }).where(and(eq(memberships.orgId, org.id), eq(memberships.userId, morgan)));
    await raiseDemoAlerts(tx, { orgId: org.id, now });
    // The follow-up behind those months: assignments sent and answered (or expired), session ratings, acknowledged alerts, results discussed.
    await seedDemoFollowUp(tx, { orgId: org.id, now, seed: options.seed });
    return { orgId: org.id };
  });
}
