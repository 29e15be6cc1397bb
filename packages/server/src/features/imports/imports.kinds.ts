import { randomUUID } from 'node:crypto';
import { bandFor, createRegistry, hasInstrument, InstrumentError, type ScoreResult } from '@rapport/instruments';
import type { appointments, clients, responses } from '../../db/schema';
import { resolveInstruments, scoredResponseColumns, type ResolvedInstrument } from '../instruments/org-instruments';
import {
  appointmentKey,
  existingAppointmentKeys,
  existingResponseKeys,
  findActiveStaffByEmail,
  findClientsByReference,
  findEpisodesOf,
  insertAppointments,
  insertCareTeam,
  insertClients,
  insertResponses,
  recordAuditEvents,
  responseKey,
  type EpisodeSpan,
} from './imports.queries';
import type { CheckedRow, ImportContext, KindHandler, RowOutcome, RowProblem } from './imports.run';
import { appointmentRow, clientRow, scoreRow, type AppointmentRowValues, type ClientRowValues, type ImportKind, type ScoreRowValues } from './imports.schema';

const lower = (v: string | undefined) => v?.toLowerCase();

type ClientReference = { client_external_id?: string; client_email?: string[] };

/**
 * Finds each row's client in the caller's clinic: by `client_external_id` when given (exactly),
 * else by the first `client_email` that is a client's (case-insensitive). Another clinic's client,
 * or an erased one, is simply not found: "unknown client", never a hint that it exists elsewhere.
 */
async function resolveClients(context: ImportContext, rows: CheckedRow<ClientReference>[]): Promise<Map<number, { clientId: string } | { problem: RowProblem }>> {
  const externalIds = [...new Set(rows.map((r) => r.values.client_external_id).filter((v): v is string => !!v))];
  const emails = [...new Set(rows.flatMap((r) => (r.values.client_external_id ? [] : (r.values.client_email ?? []).map((e) => e.toLowerCase()))))];
  const found = await findClientsByReference(context.tx, context.orgId, { externalIds, emails });
  const byRef = new Map<string, string[]>();
  const byEmail = new Map<string, string[]>();
  for (const c of found) {
    if (c.externalRef) byRef.set(c.externalRef, [...(byRef.get(c.externalRef) ?? []), c.id]);
    if (c.email) byEmail.set(c.email, [...(byEmail.get(c.email) ?? []), c.id]);
  }
  const result = new Map<number, { clientId: string } | { problem: RowProblem }>();
  for (const { row, values } of rows) {
    if (values.client_external_id) {
      const ids = byRef.get(values.client_external_id) ?? [];
      if (ids.length === 1) result.set(row, { clientId: ids[0]! });
      else if (ids.length > 1) result.set(row, { problem: { column: 'client_external_id', code: 'ambiguous_client', text: 'more than one client of this clinic has this external id' } });
      else result.set(row, { problem: { column: 'client_external_id', code: 'unknown_client', text: 'no client of this clinic has this external id' } });
      continue;
    }
    const addresses = (values.client_email ?? []).map((e) => e.toLowerCase());
    if (addresses.length === 0) {
      result.set(row, { problem: { column: 'client_email', code: 'required', text: 'required: give client_external_id or client_email' } });
      continue;
    }
    const match = addresses.map((e) => byEmail.get(e) ?? []).find((ids) => ids.length > 0);
    if (!match) result.set(row, { problem: { column: 'client_email', code: 'unknown_client', text: 'no client of this clinic has this email' } });
    else if (match.length > 1) result.set(row, { problem: { column: 'client_email', code: 'ambiguous_client', text: 'more than one client of this clinic has this email: use client_external_id' } });
    else result.set(row, { clientId: match[0]! });
  }
  return result;
}

/** The calendar date of an instant in a time zone (YYYY-MM-DD). */
function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The client's episode that was open on `date` (the latest started, if several), or null. */
function episodeOn(spans: readonly EpisodeSpan[], clientId: string, date: string): string | null {
  const open = spans.filter((e) => e.clientId === clientId && e.startedOn <= date && (e.endedOn === null || e.endedOn >= date));
  open.sort((a, b) => (a.startedOn < b.startedOn ? 1 : -1));
  return open[0]?.id ?? null;
}

type ClientInsert = typeof clients.$inferInsert & { id: string; clinicianId: string | null };

/**
 * Clients. A row is a duplicate (skipped, reported) when the clinic already has a client, or an
 * earlier row of the file, with the same `external_id`, or the same `email` (case-insensitive).
 * `clinician_email` puts that active staff member on the new client's care team.
 */
export function clientsHandler(): KindHandler<ClientRowValues, ClientInsert> {
  const seenRefs = new Set<string>();
  const seenEmails = new Set<string>();
  return {
    schema: clientRow,
    async prepare(context, rows) {
      const refs = rows.map((r) => r.values.external_id).filter((v): v is string => !!v);
      const emails = rows.map((r) => lower(r.values.email)).filter((v): v is string => !!v);
      const existing = await findClientsByReference(context.tx, context.orgId, { externalIds: refs, emails });
      const existingRefs = new Set(existing.map((c) => c.externalRef));
      const existingEmails = new Set(existing.map((c) => c.email));
      const staff = await findActiveStaffByEmail(context.tx, context.orgId, rows.map((r) => lower(r.values.clinician_email)).filter((v): v is string => !!v));
      return rows.map(({ row, values }): RowOutcome<ClientInsert> => {
        const clinicianId = values.clinician_email ? staff.get(values.clinician_email.toLowerCase()) : null;
        if (clinicianId === undefined) return { row, problem: { column: 'clinician_email', code: 'unknown_clinician', text: 'no active staff member of this clinic has this email' } };
        const ref = values.external_id;
        const email = lower(values.email);
        if (ref && (existingRefs.has(ref) || seenRefs.has(ref))) {
          return { row, duplicate: { column: 'external_id', code: 'duplicate', text: `skipped: ${existingRefs.has(ref) ? 'the clinic already has a client' : 'an earlier row has'} with this external id` } };
        }
        if (email && (existingEmails.has(email) || seenEmails.has(email))) {
          return { row, duplicate: { column: 'email', code: 'duplicate', text: `skipped: ${existingEmails.has(email) ? 'the clinic already has a client' : 'an earlier row has'} with this email` } };
        }
        if (ref) seenRefs.add(ref);
        if (email) seenEmails.add(email);
        return {
          row,
          prepared: {
            id: randomUUID(),
            orgId: context.orgId,
            givenName: values.given_name,
            familyName: values.family_name,
            preferredName: values.preferred_name ?? null,
            email: values.email ?? null,
            mobile: values.mobile ?? null,
            language: values.language ?? 'en',
            timeZone: values.time_zone ?? null,
            dateOfBirth: values.date_of_birth ?? null,
            externalRef: ref ?? null,
            createdAt: context.now,
            updatedAt: context.now,
            clinicianId,
          },
        };
      });
    },
    async write(context, prepared) {
      await insertClients(context.tx, prepared.map(({ clinicianId: _unused, ...client }) => client));
      await insertCareTeam(
        context.tx,
        prepared.filter((c) => c.clinicianId).map((c) => ({ orgId: context.orgId, clientId: c.id, userId: c.clinicianId!, addedAt: context.now })),
      );
      await recordAuditEvents(context.tx, prepared.map((c) => context.auditEvent({ action: 'client.import', clientId: c.id, entityType: 'client', entityId: c.id })));
      return prepared.length;
    },
  };
}

type AppointmentInsert = typeof appointments.$inferInsert & { id: string };

/**
 * Appointments (CSV or iCal). The clinician must be active staff of the clinic and joins the
 * client's care team, as when booking one by hand; the appointment joins the client's episode open
 * on its date (clinic time). A duplicate is the same client, clinician and start already booked
 * (or earlier in the file).
 */
export function appointmentsHandler(): KindHandler<AppointmentRowValues, AppointmentInsert> {
  const seen = new Set<string>();
  return {
    schema: appointmentRow,
    async prepare(context, rows) {
      const clientsOf = await resolveClients(context, rows);
      const staff = await findActiveStaffByEmail(context.tx, context.orgId, [...new Set(rows.map((r) => r.values.clinician_email.toLowerCase()))]);
      const clientIds = [...new Set([...clientsOf.values()].flatMap((c) => ('clientId' in c ? [c.clientId] : [])))];
      const spans = await findEpisodesOf(context.tx, context.orgId, clientIds);
      const existing = await existingAppointmentKeys(context.tx, context.orgId, clientIds, rows.map((r) => new Date(r.values.starts_at)));
      return rows.map(({ row, values }): RowOutcome<AppointmentInsert> => {
        const client = clientsOf.get(row)!;
        if ('problem' in client) return { row, problem: client.problem };
        const clinicianId = staff.get(values.clinician_email.toLowerCase());
        if (!clinicianId) return { row, problem: { column: 'clinician_email', code: 'unknown_clinician', text: 'no active staff member of this clinic has this email' } };
        const startsAt = new Date(values.starts_at);
        const key = appointmentKey(client.clientId, clinicianId, startsAt);
        if (existing.has(key) || seen.has(key)) {
          return { row, duplicate: { column: 'starts_at', code: 'duplicate', text: `skipped: ${existing.has(key) ? 'this appointment is already booked' : 'an earlier row has the same appointment'}` } };
        }
        seen.add(key);
        return {
          row,
          prepared: {
            id: randomUUID(),
            orgId: context.orgId,
            clientId: client.clientId,
            clinicianId,
            episodeId: episodeOn(spans, client.clientId, localDate(startsAt, context.clinicTimeZone)),
            startsAt,
            durationMinutes: values.duration_minutes ?? 50,
            kind: values.kind ?? 'treatment',
            status: values.status ?? 'scheduled',
            createdAt: context.now,
            updatedAt: context.now,
          },
        };
      });
    },
    async write(context, prepared) {
      await insertAppointments(context.tx, prepared);
      await insertCareTeam(context.tx, prepared.map((a) => ({ orgId: context.orgId, clientId: a.clientId, userId: a.clinicianId, addedAt: context.now })));
      await recordAuditEvents(
        context.tx,
        prepared.map((a) => context.auditEvent({ action: 'appointment.import', clientId: a.clientId, entityType: 'appointment', entityId: a.id })),
      );
      return prepared.length;
    },
  };
}

type ResponseInsert = typeof responses.$inferInsert & { id: string; clientId: string };

/** The band of a total given without answers: the built-in library's, or the clinic's own definition's. */
function bandOfTotal(instrument: ResolvedInstrument, total: number) {
  if (instrument.source !== 'custom' && hasInstrument(instrument.instrumentId)) return bandFor(instrument.instrumentId, total);
  return createRegistry([instrument.definition]).bandFor(instrument.instrumentId, total);
}

/**
 * Historical scores, stored as completed client responses exactly as a submission stores them, so
 * charts, reports and exports see them; `score_detail.import` marks them imported (with the
 * import's id), `channel` is null and no alert is raised (they are history, not news). With
 * `answers`, the instruments library scores them (a `total` given too must match); with a `total`
 * alone, it must lie in the instrument's range and the band comes from the library. A duplicate
 * is a completed response of the same client and instrument at the same instant.
 */
export function scoresHandler(): KindHandler<ScoreRowValues, ResponseInsert> {
  const seen = new Set<string>();
  const instruments = new Map<string, ResolvedInstrument | null>();
  return {
    schema: scoreRow,
    async prepare(context, rows) {
      const clientsOf = await resolveClients(context, rows);
      const unknownIds = [...new Set(rows.map((r) => r.values.instrument_id))].filter((id) => !instruments.has(id));
      for (const [id, resolved] of await resolveInstruments(context.tx, context.orgId, unknownIds)) instruments.set(id, resolved);
      const clientIds = [...new Set([...clientsOf.values()].flatMap((c) => ('clientId' in c ? [c.clientId] : [])))];
      const instantOf = (date: string) => new Date(date.length === 10 ? `${date}T12:00:00Z` : date);
      const spans = await findEpisodesOf(context.tx, context.orgId, clientIds);
      const existing = await existingResponseKeys(context.tx, context.orgId, clientIds, rows.map((r) => instantOf(r.values.date)));
      return rows.map(({ row, values }): RowOutcome<ResponseInsert> => {
        const client = clientsOf.get(row)!;
        if ('problem' in client) return { row, problem: client.problem };
        const instrument = instruments.get(values.instrument_id);
        if (!instrument) return { row, problem: { column: 'instrument_id', code: 'unknown_instrument', text: 'not an instrument this clinic uses' } };
        if (instrument.definition.respondent !== 'client') return { row, problem: { column: 'instrument_id', code: 'unsupported_instrument', text: 'not answered by clients: only client questionnaires can be imported' } };
        if (values.total === undefined && values.answers === undefined) return { row, problem: { column: 'total', code: 'required', text: 'required: give total, answers or both' } };
        const scored = scoreOf(instrument, values);
        if ('problem' in scored) return { row, problem: scored.problem };
        const submittedAt = instantOf(values.date);
        const key = responseKey(client.clientId, instrument.instrumentId, submittedAt);
        if (existing.has(key) || seen.has(key)) {
          return { row, duplicate: { column: 'date', code: 'duplicate', text: `skipped: ${existing.has(key) ? 'the client already has a score' : 'an earlier row has a score'} on this instrument at this date` } };
        }
        seen.add(key);
        const date = values.date.length === 10 ? values.date : localDate(submittedAt, context.clinicTimeZone);
        return {
          row,
          prepared: {
            id: randomUUID(),
            orgId: context.orgId,
            clientId: client.clientId,
            episodeId: episodeOn(spans, client.clientId, date),
            instrumentId: instrument.instrumentId,
            instrumentVersion: instrument.version,
            respondent: 'client',
            status: 'completed',
            answers: values.answers ?? {},
            ...scored.columns,
            scoreDetail: { ...scored.columns.scoreDetail, import: { importId: context.importId } },
            channel: null,
            startedAt: submittedAt,
            submittedAt,
            createdAt: context.now,
          },
        };
      });
    },
    async write(context, prepared) {
      await insertResponses(context.tx, prepared);
      await recordAuditEvents(
        context.tx,
        prepared.map((r) => context.auditEvent({ action: 'response.import', clientId: r.clientId, entityType: 'response', entityId: r.id })),
      );
      return prepared.length;
    },
  };
}

type ScoreColumns = Pick<typeof responses.$inferInsert, 'complete' | 'total' | 'subscales' | 'bandId' | 'bandLabel' | 'flags' | 'prorated' | 'scoreDetail' | 'scorerVersion'>;

function scoreOf(instrument: ResolvedInstrument, values: ScoreRowValues): { columns: ScoreColumns } | { problem: RowProblem } {
  const { total, answers } = values;
  if (answers) {
    let result: ScoreResult;
    try {
      result = instrument.score(answers);
    } catch (error) {
      if (!(error instanceof InstrumentError)) throw error;
      const item = error.itemId ? `item ${error.itemId}: ` : '';
      return { problem: { column: 'answers', code: error.code, text: `${item}${error.code === 'unknown_item' ? 'not an item of this instrument' : 'not a valid answer for this item'}` } };
    }
    if (result.total === null) return { problem: { column: 'answers', code: 'unscorable', text: 'too many unanswered items to score (the instrument’s missing-item rule)' } };
    if (total !== undefined && Math.abs(result.total - total) > 1e-9) return { problem: { column: 'total', code: 'total_mismatch', text: 'does not match the total scored from answers' } };
    return { columns: scoredResponseColumns(result, instrument.definition) };
  }
  const { min, max } = instrument.definition.range;
  if (total! < min || total! > max) return { problem: { column: 'total', code: 'out_of_range', text: `outside this instrument's range (${min} to ${max})` } };
  const band = bandOfTotal(instrument, total!);
  return {
    columns: {
      complete: null,
      total: String(total),
      subscales: null,
      bandId: band?.id ?? null,
      bandLabel: band?.label ?? null,
      flags: [],
      prorated: null,
      scoreDetail: { totalOnly: true },
      scorerVersion: null,
    },
  };
}

/** The handler for a kind, fresh per import (it remembers the file's earlier rows to spot duplicates within it). */
export function handlerFor(kind: ImportKind): KindHandler<unknown, unknown> {
  const handler = kind === 'clients' ? clientsHandler() : kind === 'appointments' ? appointmentsHandler() : scoresHandler();
  // Each handler's row and prepared types meet only inside it; the runner just passes them through.
  return handler as unknown as KindHandler<unknown, unknown>;
}
