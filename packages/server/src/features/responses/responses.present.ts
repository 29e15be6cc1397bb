import type { InstrumentItem, LocalisedText } from '@rapport/instruments';
import type { ResolvedInstrument } from '../instruments/org-instruments';
import type { ClientResponseRow } from './responses.queries';

type StoredSubscale = { score?: unknown; band?: { id?: unknown; label?: unknown } | null };

const bandOf = (band: StoredSubscale['band']) =>
  band && typeof band.id === 'string' && typeof band.label === 'string' ? { id: band.id, label: band.label } : null;

/**
 * The item answers of one response, in the questionnaire's order. Wording (item text and option
 * labels) comes only from the renderable instrument: the built-in wording where the licence lets
 * Rapport ship it, or the clinic's licensed content pack; otherwise just the item's number.
 * Risk: the definition's rule per item, and whether the stored flags say it was endorsed or left
 * unanswered when the response was scored.
 */
function presentItems(row: ClientResponseRow, instrument: ResolvedInstrument | null) {
  const answers = row.response.answers;
  const flags = row.response.flags ?? [];
  const worded = instrument?.renderable ?? null;
  const structure: readonly InstrumentItem[] = worded?.items ?? instrument?.definition.items ?? [];
  const known = new Set(structure.map((i) => i.id));
  // Answers to items a later version of a custom instrument dropped are still shown, by id.
  const extra = Object.keys(answers).filter((id) => !known.has(id));
  const item = (id: string, index: number, definition: InstrumentItem | undefined) => {
    const value = answers[id] ?? null;
    const option = definition?.response.kind === 'options' && value !== null ? definition.response.options.find((o) => o.value === value) : undefined;
    const risk = instrument?.definition.risk.find((r) => r.itemId === id);
    const text: LocalisedText | undefined = worded ? definition?.text : undefined;
    const label: LocalisedText | undefined = worded ? option?.label : undefined;
    return {
      itemId: id,
      number: index + 1,
      text: text ?? null,
      value,
      answerLabel: label ?? null,
      scored: definition?.scored ?? true,
      risk: risk ? { kind: risk.kind, threshold: risk.threshold, clinicalSafety: risk.clinicalSafety } : null,
      endorsed: flags.some((f) => f.kind === 'risk' && f.itemId === id),
      riskUnanswered: flags.some((f) => f.kind === 'risk-unanswered' && f.itemId === id),
    };
  };
  return [...structure.map((d, i) => item(d.id, i, d)), ...extra.map((id, i) => item(id, structure.length + i, undefined))];
}

/** One completed response as the clinician's client page shows it. */
export function presentClientResponse(row: ClientResponseRow, instrument: ResolvedInstrument | null) {
  const r = row.response;
  const definition = instrument?.definition;
  const flags = r.flags ?? [];
  const stored = (r.subscales ?? {}) as Record<string, StoredSubscale>;
  const subscales = Object.entries(stored).map(([id, s]) => ({
    id,
    label: definition?.scoring.subscales.find((d) => d.id === id)?.label ?? id,
    score: typeof s?.score === 'number' ? s.score : null,
    band: bandOf(s?.band),
  }));
  return {
    id: r.id,
    instrument: { id: r.instrumentId, version: r.instrumentVersion, shortName: definition?.names.short ?? r.instrumentId, name: definition?.names.full ?? r.instrumentId },
    respondent: r.respondent,
    respondentUserId: r.respondentUserId,
    respondentName: r.respondent === 'clinician' ? row.respondentName : null,
    completedAt: r.submittedAt!.toISOString(),
    episodeId: r.episodeId,
    appointment: r.appointmentId && row.appointmentStartsAt ? { id: r.appointmentId, startsAt: row.appointmentStartsAt.toISOString() } : null,
    supersedesId: r.supersedesId,
    scores: {
      total: r.total === null ? null : Number(r.total),
      band: r.bandId && r.bandLabel ? { id: r.bandId, label: r.bandLabel } : null,
      prorated: r.prorated,
      complete: r.complete,
      subscales,
    },
    items: presentItems(row, instrument),
    flags: {
      riskEndorsed: flags.some((f) => f.kind === 'risk'),
      riskUnanswered: flags.some((f) => f.kind === 'risk-unanswered'),
      items: flags.map((f) => ({ kind: f.kind, itemId: f.itemId ?? null, riskKind: typeof f.riskKind === 'string' ? f.riskKind : null })),
    },
    discussion: row.discussion
      ? { discussedBy: row.discussion.discussedBy, discussedByName: row.discussedByName, discussedAt: row.discussion.discussedAt.toISOString(), note: row.discussion.note }
      : null,
  };
}
