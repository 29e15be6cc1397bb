import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database';
import { alerts, clients, organisations, responses } from '../../db/schema';
import type { AllianceVisibility } from '../alliance/blind';
import { isClientAllianceForm, isTherapistAllianceForm } from '../alliance/blind';
import type { ProgressReportData } from './progress-report.pdf';

/**
 * What a client's progress report shows, for one reader: the client's completed scores (nothing
 * superseded), the alliance summary and the ruptures, each without what blind rating hides from
 * that reader (`visibility`, or null for a reader who is not blinded). Null when there is no such client.
 */
export async function progressReportData(db: Queryable, input: { orgId: string; clientId: string; now: Date; visibility: AllianceVisibility | null }): Promise<ProgressReportData | null> {
  const [row] = await db
    .select({ givenName: clients.givenName, familyName: clients.familyName, dateOfBirth: clients.dateOfBirth, clinic: organisations.name, settings: organisations.settings })
    .from(clients)
    .innerJoin(organisations, eq(organisations.id, clients.orgId))
    .where(and(eq(clients.orgId, input.orgId), eq(clients.id, input.clientId)));
  if (!row) return null;
  const all = await db
    .select({ id: responses.id, instrumentId: responses.instrumentId, respondent: responses.respondent, appointmentId: responses.appointmentId, total: responses.total, bandLabel: responses.bandLabel, submittedAt: responses.submittedAt })
    .from(responses)
    .where(
      and(
        eq(responses.orgId, input.orgId),
        eq(responses.clientId, input.clientId),
        eq(responses.status, 'completed'),
        isNotNull(responses.total),
        sql`not exists (select 1 from ${responses} s where s.supersedes_id = ${responses.id})`,
      ),
    )
    .orderBy(asc(responses.submittedAt), asc(responses.id));
  const hidden = (r: (typeof all)[number]) => input.visibility?.isResponseHidden(r) ?? false;
  const visible = all.filter((r) => !hidden(r));
  const clientRows = visible.filter((r) => r.respondent === 'client');
  const allianceClient = clientRows.filter((r) => isClientAllianceForm(r.instrumentId));
  const therapistByAppointment = new Map(visible.filter((r) => r.respondent === 'clinician' && isTherapistAllianceForm(r.instrumentId) && r.appointmentId).map((r) => [r.appointmentId!, Number(r.total)]));
  const gaps = allianceClient.filter((r) => r.appointmentId && therapistByAppointment.has(r.appointmentId)).map((r) => therapistByAppointment.get(r.appointmentId!)! - Number(r.total));
  const ruptureRows = await db
    .select({ urgent: alerts.urgent, kind: alerts.kind, responseId: alerts.responseId })
    .from(alerts)
    .where(and(eq(alerts.orgId, input.orgId), eq(alerts.clientId, input.clientId), eq(alerts.kind, 'alliance_rupture')));
  const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);
  return {
    clinic: { name: row.clinic, colour: row.settings.colour ?? '#2F6F8F' },
    client: { name: `${row.givenName} ${row.familyName}`, dateOfBirth: row.dateOfBirth },
    generatedAt: input.now,
    scores: clientRows.map((r) => ({ instrumentId: r.instrumentId, at: r.submittedAt!, total: Number(r.total), bandLabel: r.bandLabel })),
    alliance: {
      sessions: allianceClient.length,
      meanClient: mean(allianceClient.map((r) => Number(r.total))),
      pairedSessions: gaps.length,
      meanGap: mean(gaps),
      ruptures: ruptureRows.filter((a) => !(input.visibility?.isAlertHidden(a) ?? false)).length,
      hiddenForBlindRating: all.length - visible.length,
    },
  };
}
