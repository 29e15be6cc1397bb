import { and, eq } from 'drizzle-orm';
import type { Config } from '../src/config';
import type { Db } from '../src/db/database';
import { assignments, careTeamMembers, clients, memberships, users, type OrganisationSettings, type Role } from '../src/db/schema';
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

  return { buildOrganisation, buildStaff, buildClient, buildAssignment, deactivate };
}
