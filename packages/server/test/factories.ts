import { and, eq } from 'drizzle-orm';
import type { Config } from '../src/config';
import type { Db } from '../src/db/database';
import { getInstrument, scoreResponse } from '@rapport/instruments';
import { assignments, careTeamMembers, clients, memberships, responses, users, type OrganisationSettings, type Role } from '../src/db/schema';
import { scoredResponseColumns } from '../src/features/instruments/org-instruments';
import { riskAlertsFor } from '../src/features/alerts/alert-rules';
import { raiseAlerts } from '../src/features/alerts/alerts.queries';
import type { ManualClock } from '../src/lib/clock';
import { createSession } from '../src/auth/sessions.queries';
import { SESSION_COOKIE } from '../src/auth/session-cookie';
import { createOrganisation } from '../src/features/organisations/organisations.queries';
import { hashPassword } from '../src/auth/passwords';

let counter = 0;
const next = () => ++counter;

/** Fixture factories: each builds one thing with sensible defaults and takes overrides. */
export function buildFactories({ db, clock, config }: { db: Db; clock: ManualClock; config: Config }) {
  const policy = { idleMinutes: config.sessionIdleMinutes, absoluteHours: config.sessionAbsoluteHours };

  async function buildOrganisation(overrides: { name?: string; settings?: Partial<OrganisationSettings> } = {}) {
    return createOrganisation(db, { name: overrides.name ?? `Clinic ${next()}`, settings: { mfaRequired: false, ...overrides.settings } }, clock.now());
  }

  /** A staff member with a signed-in session: `cookie` goes straight into request headers. */
  async function buildStaff(orgId: string, role: Role, overrides: { email?: string; displayName?: string; password?: string; experienceYears?: number; trainee?: boolean } = {}) {
    const n = next();
    const [user] = await db
      .insert(users)
      .values({
        email: overrides.email ?? `staff${n}@clinic.test`,
        displayName: overrides.displayName ?? `Staff ${n}`,
        passwordHash: overrides.password ? await hashPassword(overrides.password) : null,
        createdAt: clock.now(),
      })
      .returning();
    await db.insert(memberships).values({ orgId, userId: user!.id, role, experienceYears: overrides.experienceYears ?? 5, trainee: overrides.trainee ?? false, createdAt: clock.now() });
    const { token } = await createSession(db, { userId: user!.id, orgId, stage: 'full', now: clock.now(), policy });
    return { userId: user!.id, email: user!.email, orgId, role, token, cookie: `${SESSION_COOKIE}=${token}` };
  }

  async function deactivate(orgId: string, userId: string) {
    await db.update(memberships).set({ status: 'deactivated', deactivatedAt: clock.now() }).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  }

  async function buildClient(orgId: string, overrides: Partial<typeof clients.$inferInsert> = {}, careTeam: string[] = []) {
    const n = next();
    const [client] = await db
      .insert(clients)
      .values({ orgId, givenName: `Given${n}`, familyName: `Family${n}`, email: `client${n}@example.test`, createdAt: clock.now(), updatedAt: clock.now(), ...overrides })
      .returning();
    if (careTeam.length) await db.insert(careTeamMembers).values(careTeam.map((userId) => ({ orgId, clientId: client!.id, userId, addedAt: clock.now() })));
    return client!;
  }

  /** A client questionnaire (PHQ-9 by default) already sent by email, expiring in 4 days. */
  async function buildAssignment(orgId: string, clientId: string, overrides: Partial<typeof assignments.$inferInsert> = {}) {
    const now = clock.now();
    const [assignment] = await db
      .insert(assignments)
      .values({
        orgId,
        clientId,
        instrumentIds: ['phq9'],
        respondent: 'client',
        channel: 'email',
        status: 'sent',
        scheduledFor: now,
        sentAt: now,
        expiresAt: new Date(now.getTime() + 4 * 86_400_000),
        createdAt: now,
        updatedAt: now,
        ...overrides,
      })
      .returning();
    return assignment!;
  }

  /** A completed PHQ-9 with item 9 answered `item9` (null: left blank) and the urgent alert a submission raises with it (queues `alert.notify_urgent`). */
  async function buildRiskAlert(orgId: string, clientId: string, item9: number | null = 2) {
    const answers = { phq9_1: 1, phq9_2: 2, phq9_3: 1, phq9_4: 1, phq9_5: 0, phq9_6: 1, phq9_7: 0, phq9_8: 0, phq9_9: item9 };
    const result = scoreResponse('phq9', answers);
    const now = clock.now();
    return db.transaction(async (tx) => {
      const [response] = await tx
        .insert(responses)
        .values({ orgId, clientId, instrumentId: 'phq9', instrumentVersion: '1.0.0', respondent: 'client', status: 'completed', answers, ...scoredResponseColumns(result, getInstrument('phq9')), startedAt: now, submittedAt: now })
        .returning();
      const [alert] = await raiseAlerts(tx, riskAlertsFor(result, getInstrument('phq9'), { orgId, clientId, responseId: response!.id }), now);
      return alert!;
    });
  }

  return { buildOrganisation, buildStaff, buildClient, buildAssignment, buildRiskAlert, deactivate };
}
