import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/context';
import { alerts, appointments, assignments, auditEvents, episodes, responses } from '../../db/schema';

let ctx: TestContext;
let dir: string;
beforeAll(async () => {
  ctx = await createTestContext();
  dir = mkdtempSync(join(tmpdir(), 'rapport-pdf-'));
});
afterAll(async () => {
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
});

const DAY = 86_400_000;

/** Share of non-white pixels in a binary PGM (P5, 8-bit) as `pdftoppm -gray` writes it. */
function inkShare(pgm: Buffer): number {
  const header = pgm.subarray(0, 64).toString('latin1');
  const match = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(header);
  if (!match) throw new Error('not a binary PGM');
  const [, w, h] = match.map(Number) as [number, number, number];
  const pixels = pgm.subarray(match[0].length, match[0].length + w * h);
  let ink = 0;
  for (const p of pixels) if (p < 240) ink++;
  return ink / (w * h);
}

/** Renders every page to a gray PGM with poppler's pdftoppm; returns the files in page order. */
function pages(pdf: Buffer, name: string, dpi = 40): Buffer[] {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-gray', '-r', String(dpi), file, join(dir, name)]);
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${name}-`) && f.endsWith('.pgm'))
    .sort()
    .map((f) => readFileSync(join(dir, f)));
}

const text = (pdf: Buffer, name: string) => {
  const file = join(dir, `${name}-text.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-']).toString('utf8');
};

async function world() {
  const org = await ctx.buildOrganisation({ name: 'Harbour Psychology', settings: { colour: '#7A2E55' } });
  const supervisor = await ctx.buildStaff(org.id, 'supervisor');
  const clinician = await ctx.buildStaff(org.id, 'clinician');
  const outsider = await ctx.buildStaff(org.id, 'clinician');
  const client = await ctx.buildClient(org.id, { givenName: 'Maya', familyName: 'Okafor' }, [clinician.userId]);
  const now = ctx.clock.now();
  const [episode] = await ctx.db
    .insert(episodes)
    .values({ orgId: org.id, clientId: client.id, primaryClinicianId: clinician.userId, presentingProblem: 'depression', startedOn: '2025-09-01' })
    .returning();
  const answer = async (instrumentId: string, total: number, bandLabel: string | null, at: Date, appointmentId: string | null, respondent: 'client' | 'clinician' = 'client') => {
    const [row] = await ctx.db
      .insert(responses)
      .values({
        orgId: org.id, clientId: client.id, episodeId: episode!.id, appointmentId, instrumentId, instrumentVersion: '1.0.0', respondent, respondentUserId: respondent === 'clinician' ? clinician.userId : null,
        status: 'completed', answers: {}, total: String(total), bandLabel, startedAt: at, submittedAt: at, createdAt: at,
      })
      .returning();
    return row!;
  };
  // Twelve weekly sessions: PHQ-9 falls from 21 to 6, GAD-7 from 16 to 5, alliance ratings on each session.
  const phqBands = (t: number) => (t >= 20 ? 'Severe' : t >= 15 ? 'Moderately severe' : t >= 10 ? 'Moderate' : t >= 5 ? 'Mild' : 'None/minimal');
  let last: { visit: string; at: Date } | null = null;
  for (let week = 0; week < 12; week++) {
    const at = new Date(now.getTime() - (12 - week) * 7 * DAY);
    const [visit] = await ctx.db.insert(appointments).values({ orgId: org.id, clientId: client.id, episodeId: episode!.id, clinicianId: clinician.userId, startsAt: at, kind: 'treatment', status: 'attended' }).returning();
    const phq = Math.round(21 - (15 * week) / 11);
    await answer('phq9', phq, phqBands(phq), new Date(at.getTime() - DAY), visit!.id);
    await answer('gad7', Math.round(16 - week), null, new Date(at.getTime() - DAY), visit!.id);
    await answer('rapport_alliance', 30 + (week % 3), null, new Date(at.getTime() + 3_600_000), visit!.id);
    if (week < 11) await answer('rapport_alliance_therapist', 33, null, new Date(at.getTime() + 2 * 3_600_000), visit!.id, 'clinician');
    last = { visit: visit!.id, at };
  }
  // The last session is not yet rated by the clinician: its client rating (and its rupture alert) is hidden from them.
  const lastVisit = last!;
  await ctx.db.update(appointments).set({ startsAt: new Date(now.getTime() - DAY) }).where(eq(appointments.id, lastVisit.visit));
  await ctx.db.insert(assignments).values({
    orgId: org.id, clientId: client.id, episodeId: episode!.id, appointmentId: lastVisit.visit, instrumentIds: ['rapport_alliance_therapist'], respondent: 'clinician', respondentUserId: clinician.userId,
    channel: 'in_session', status: 'sent', scheduledFor: new Date(now.getTime() - DAY), createdAt: now, updatedAt: now,
  });
  const [hiddenResponse] = await ctx.db.select().from(responses).where(eq(responses.appointmentId, lastVisit.visit));
  const lastClientAlliance = (await ctx.db.select().from(responses).where(eq(responses.appointmentId, lastVisit.visit))).find((r) => r.instrumentId === 'rapport_alliance')!;
  void hiddenResponse;
  await ctx.db.insert(alerts).values({ orgId: org.id, clientId: client.id, episodeId: episode!.id, responseId: lastClientAlliance.id, kind: 'alliance_rupture', evidenceKey: 'r1', evidence: {}, rulesVersion: '1' });
  return { org, supervisor, clinician, outsider, client };
}

describe('the PDF progress report', () => {
  it('renders a header, a chart per measure with bands, the alliance summary and a table, and no page is blank', async () => {
    const w = await world();
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${w.client.id}/report.pdf`, headers: { cookie: w.supervisor.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = res.rawPayload;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const rendered = pages(pdf, 'supervisor');
    if (process.env.KEEP_PDF) writeFileSync(process.env.KEEP_PDF, pdf);
    expect(rendered.length).toBeGreaterThanOrEqual(2);
    for (const page of rendered) expect(inkShare(page)).toBeGreaterThan(0.01);
    const words = text(pdf, 'supervisor');
    expect(words).toContain('Harbour Psychology');
    expect(words).toContain('Maya Okafor');
    expect(words).toContain('PHQ-9');
    expect(words).toContain('GAD-7');
    expect(words).toContain('Moderately severe');
    expect(words).toContain('Sessions rated by the client: 12');
    expect(words).toContain('Therapist minus client, mean over 11 session(s): +2');
    expect(words).toContain('Ruptures flagged: 1.');
  });

  it('hides from the clinician the client ratings they have not rated yet (blind rating), rupture included', async () => {
    const w = await world();
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${w.client.id}/report.pdf`, headers: { cookie: w.clinician.cookie } });
    expect(res.statusCode).toBe(200);
    const words = text(res.rawPayload, 'clinician');
    expect(words).toContain('Sessions rated by the client: 11');
    expect(words).toContain('Ruptures flagged: 0.');
    expect(words).toContain('not shown until you rate those sessions yourself');
  });

  it('is audited, and is a 404 for a clinician not on the care team', async () => {
    const w = await world();
    await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${w.client.id}/report.pdf`, headers: { cookie: w.supervisor.cookie } });
    const events = await ctx.db.select().from(auditEvents).where(eq(auditEvents.clientId, w.client.id));
    expect(events.map((e) => e.action)).toContain('client.report.pdf');
    const denied = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${w.client.id}/report.pdf`, headers: { cookie: w.outsider.cookie } });
    expect(denied.statusCode).toBe(404);
    expect(denied.json()).toEqual({ error: { code: 'not_found', message: 'No such client.' } });
  });

  it('renders a client with no scores yet on one non-blank page', async () => {
    const org = await ctx.buildOrganisation();
    const admin = await ctx.buildStaff(org.id, 'admin');
    const client = await ctx.buildClient(org.id);
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/clients/${client.id}/report.pdf`, headers: { cookie: admin.cookie } });
    expect(res.statusCode).toBe(200);
    const rendered = pages(res.rawPayload, 'empty');
    expect(rendered).toHaveLength(1);
    expect(inkShare(rendered[0]!)).toBeGreaterThan(0.01);
    expect(text(res.rawPayload, 'empty')).toContain('No questionnaires completed yet.');
  });
});
