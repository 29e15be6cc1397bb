import { and, eq } from 'drizzle-orm';
import { alerts, appointments, assignments, episodes, memberships, programmes, protocols, responses, users, type Role } from '../src/db/schema';
import { issueUserToken } from '../src/auth/auth.queries';
import { hashPassword } from '../src/auth/passwords';
import { currentTotp, newTotpSecret } from '../src/auth/totp';
import { encryptSecret } from '../src/lib/crypto';
import { startLinkSession } from '../src/features/questionnaire/link-session';
import { registerDevice } from '../src/features/kiosk/kiosk.queries';
import { createApiToken } from '../src/features/api-tokens/api-tokens.queries';
import type { ApiTokenScope } from '../src/db/schema';
import type { TestContext } from './context';

/** The password of {@link World.signInUser}, hashed once per process (argon2 is slow on purpose). */
export const WORLD_PASSWORD = 'correct horse battery staple';
let passwordHash: Promise<string> | undefined;

export type WorldStaff = { userId: string; email: string; cookie: string };

/**
 * One fixture world for the access matrix and the fuzz test: two organisations, a client on the
 * first clinician's care team with an episode and an appointment, a programme, and throwaway users
 * for the routes that act on users. Every id a route's path can name is here.
 */
export type World = {
  orgId: string;
  otherOrgId: string;
  /** Staff of the first organisation, each with a live, fully signed-in session. */
  clinicianOnTeam: WorldStaff;
  clinicianOffTeam: WorldStaff;
  supervisor: WorldStaff;
  admin: WorldStaff;
  /** A clinician on the care team whose membership was deactivated after their session began. */
  deactivated: WorldStaff;
  /** The other organisation's admin. */
  otherOrgAdmin: WorldStaff;
  /** A clinician on the care team that user routes (deactivate, role, MFA reset) and care-team removal act on. */
  target: WorldStaff;
  /** An active clinician not on the care team, to add to it. */
  addable: WorldStaff;
  /** A staff member with a password, for sign-in and password-reset requests. */
  signInUser: WorldStaff;
  /** An invited (not yet active) member and their invitation token. */
  invited: { userId: string; email: string; token: string };
  /** A live password-reset token for {@link World.target}. */
  passwordResetToken: string;
  /** The code an authenticator app enrolled with this world's TOTP seed shows now (every staff member above has started enrolling with it). */
  currentTotpCode: () => Promise<string>;
  clientId: string;
  /** A second client with the same care team and no episode yet (a new episode can be opened). */
  secondClientId: string;
  /** A client of the other organisation. */
  otherOrgClientId: string;
  programmeId: string;
  episodeId: string;
  appointmentId: string;
  /** An open urgent alert about the fixture client. */
  alertId: string;
  /** The programme's measurement protocol. */
  protocolId: string;
  /** A questionnaire for the fixture client still scheduled (far ahead), and one already sent. */
  assignmentId: string;
  sentAssignmentId: string;
  /** The on-team clinician's rating of the fixture appointment (the therapist alliance form), due now. */
  ratingAssignmentId: string;
  /** A completed PHQ-9 response of the fixture client. */
  responseId: string;
  /** A live link session (cookie token) for another open PHQ-9 of the fixture client, and a registered kiosk device's token. */
  linkSessionToken: string;
  kioskToken: string;
  /** The first organisation's API token (fhir:read and fhir:write), and another of its tokens for the revoke row. */
  apiToken: string;
  revocableApiTokenId: string;
};

/** Builds a fresh {@link World} in the test context's database (new organisations each time). */
export async function buildWorld(ctx: TestContext): Promise<World> {
  const now = ctx.clock.now();
  const totpSecret = newTotpSecret();
  const mfaSecret = encryptSecret(totpSecret, ctx.secretKey);
  passwordHash ??= hashPassword(WORLD_PASSWORD);
  const hash = await passwordHash;

  const org = await ctx.buildOrganisation();
  const otherOrg = await ctx.buildOrganisation();

  async function staff(orgId: string, role: Role, withPassword = false): Promise<WorldStaff> {
    const s = await ctx.buildStaff(orgId, role);
    await ctx.db.update(users).set({ mfaSecret, ...(withPassword ? { passwordHash: hash } : {}) }).where(eq(users.id, s.userId));
    return { userId: s.userId, email: s.email, cookie: s.cookie };
  }

  const clinicianOnTeam = await staff(org.id, 'clinician');
  const clinicianOffTeam = await staff(org.id, 'clinician');
  const supervisor = await staff(org.id, 'supervisor');
  const admin = await staff(org.id, 'admin');
  const deactivated = await staff(org.id, 'clinician');
  const target = await staff(org.id, 'clinician');
  const addable = await staff(org.id, 'clinician');
  const signInUser = await staff(org.id, 'clinician', true);
  const otherOrgAdmin = await staff(otherOrg.id, 'admin');

  const client = await ctx.buildClient(org.id, {}, [clinicianOnTeam.userId, deactivated.userId, target.userId]);
  const secondClient = await ctx.buildClient(org.id, {}, [clinicianOnTeam.userId, deactivated.userId, target.userId]);
  const otherOrgClient = await ctx.buildClient(otherOrg.id, {}, []);
  await ctx.deactivate(org.id, deactivated.userId);

  const invitedStaff = await ctx.buildStaff(org.id, 'clinician');
  await ctx.db
    .update(memberships)
    .set({ status: 'invited' })
    .where(and(eq(memberships.orgId, org.id), eq(memberships.userId, invitedStaff.userId)));
  const invitationToken = await issueUserToken(ctx.db, { userId: invitedStaff.userId, orgId: org.id, kind: 'invite', now, validForMs: 86_400_000 });
  const passwordResetToken = await issueUserToken(ctx.db, { userId: target.userId, kind: 'password_reset', now, validForMs: 1_800_000 });

  const [programme] = await ctx.db.insert(programmes).values({ orgId: org.id, name: 'Adult anxiety', createdAt: now }).returning();
  const [episode] = await ctx.db
    .insert(episodes)
    .values({ orgId: org.id, clientId: client.id, programmeId: programme!.id, primaryClinicianId: clinicianOnTeam.userId, presentingProblem: 'gad', startedOn: '2026-02-01', createdAt: now })
    .returning();
  const [appointment] = await ctx.db
    .insert(appointments)
    .values({
      orgId: org.id,
      clientId: client.id,
      episodeId: episode!.id,
      clinicianId: clinicianOnTeam.userId,
      startsAt: new Date(now.getTime() + 86_400_000),
      createdAt: now,
      updatedAt: now,
    })
    .returning();

  const [alert] = await ctx.db
    .insert(alerts)
    .values({ orgId: org.id, clientId: client.id, kind: 'risk_item', urgent: true, evidenceKey: 'world', evidence: {}, rulesVersion: 'world', createdAt: now })
    .returning();

  const [protocol] = await ctx.db
    .insert(protocols)
    .values({
      orgId: org.id,
      programmeId: programme!.id,
      name: 'World protocol',
      rules: [{ id: 'phq9-before', instrumentIds: ['phq9'], respondent: 'client', trigger: { kind: 'before_each', hoursBefore: 24 } }],
      createdAt: now,
    })
    .returning();
  const assignment = (status: 'scheduled' | 'sent') => ({
    orgId: org.id,
    clientId: client.id,
    instrumentIds: ['phq9'],
    respondent: 'client' as const,
    channel: 'link' as const,
    status,
    scheduledFor: new Date(now.getTime() + 30 * 86_400_000),
    createdAt: now,
  });
  const [scheduledAssignment, sentAssignment] = await ctx.db.insert(assignments).values([assignment('scheduled'), assignment('sent')]).returning();

  // Issue 5: a session rating the on-team clinician owes, and a completed response to mark discussed.
  const [ratingAssignment] = await ctx.db
    .insert(assignments)
    .values({
      orgId: org.id,
      clientId: client.id,
      episodeId: episode!.id,
      appointmentId: appointment!.id,
      instrumentIds: ['rapport_alliance_therapist'],
      respondent: 'clinician',
      respondentUserId: clinicianOnTeam.userId,
      channel: 'in_session',
      status: 'scheduled',
      scheduledFor: now,
      createdAt: now,
    })
    .returning();
  const [response] = await ctx.db
    .insert(responses)
    .values({
      orgId: org.id,
      clientId: client.id,
      episodeId: episode!.id,
      instrumentId: 'phq9',
      instrumentVersion: '1.0.0',
      respondent: 'client',
      status: 'completed',
      answers: {},
      total: '3',
      startedAt: now,
      submittedAt: now,
      createdAt: now,
    })
    .returning();

  // The client's side: a questionnaire of its own (so rows acting on the two above never close it), a link session for it, and a kiosk.
  const linkAssignment = await ctx.buildAssignment(org.id, client.id);
  const linkSession = await startLinkSession(ctx.db, { orgId: org.id, assignmentId: linkAssignment.id, via: 'link', now });
  const apiTokenInput = { orgId: org.id, scopes: ['fhir:read', 'fhir:write'] as ApiTokenScope[], createdBy: admin.userId, expiresAt: new Date(now.getTime() + 90 * 86_400_000), now };
  const apiToken = await createApiToken(ctx.db, { ...apiTokenInput, name: 'World integration' });
  const revocableApiToken = await createApiToken(ctx.db, { ...apiTokenInput, name: 'World spare' });
  const kiosk = await registerDevice(ctx.db, { orgId: org.id, name: 'World tablet', createdBy: admin.userId, now });

  return {
    orgId: org.id,
    otherOrgId: otherOrg.id,
    clinicianOnTeam,
    clinicianOffTeam,
    supervisor,
    admin,
    deactivated,
    otherOrgAdmin,
    target,
    addable,
    signInUser,
    invited: { userId: invitedStaff.userId, email: invitedStaff.email, token: invitationToken },
    passwordResetToken,
    currentTotpCode: () => currentTotp(totpSecret, ctx.clock.now()),
    clientId: client.id,
    secondClientId: secondClient.id,
    otherOrgClientId: otherOrgClient.id,
    programmeId: programme!.id,
    episodeId: episode!.id,
    appointmentId: appointment!.id,
    alertId: alert!.id,
    protocolId: protocol!.id,
    assignmentId: scheduledAssignment!.id,
    sentAssignmentId: sentAssignment!.id,
    ratingAssignmentId: ratingAssignment!.id,
    responseId: response!.id,
    linkSessionToken: linkSession.token,
    kioskToken: kiosk.token,
    apiToken: apiToken.token,
    revocableApiTokenId: revocableApiToken.row.id,
  };
}

/** `'GET /api/v1/clients/:clientId'` → method and URL pattern. */
export function splitRouteKey(key: string): { method: string; url: string } {
  const space = key.indexOf(' ');
  return { method: key.slice(0, space), url: key.slice(space + 1) };
}

/** Fills `:name` path parameters; a parameter with no value is a mistake in the table, not a 404. */
export function fillPath(url: string, values: Record<string, string>): string {
  return url.replace(/:(\w+)/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No fixture value for path parameter :${name} in ${url}; add it to defaultParams or the row's params.`);
    return encodeURIComponent(value);
  });
}
