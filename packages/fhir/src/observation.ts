import type { InstrumentDefinition } from '@rapport/instruments';
import type { Coding, Observation } from 'fhir/r4';
import { LOINC, OBSERVATION_CATEGORY, UCUM, instrumentSystem } from './codes';

/** What {@link toObservations} needs of a stored, completed response. */
export type ScoredResponseLike = {
  id: string;
  clientId: string;
  instrumentId: string;
  total: string | number | null;
  bandLabel: string | null;
  subscales: Readonly<Record<string, unknown>> | null;
  prorated?: boolean | null;
  submittedAt: Date | null;
};

type SubscaleValue = { score: number | null; band: { label: string } | null };

/** The Observation id of a response's total (`<responseId>-total`) or subscale (`<responseId>-<subscale id>`). */
export const observationIdOf = (responseId: string, part: 'total' | string) => `${responseId}-${part.replaceAll('_', '-')}`;

/**
 * Splits an Observation id into its response id and part (`total` or a subscale id), or null when it
 * is not one of ours. Response ids are UUIDs (36 characters).
 */
export function parseObservationId(id: string): { responseId: string; part: string } | null {
  const match = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-([a-z][a-z0-9-]*)$/.exec(id);
  return match ? { responseId: match[1]!, part: match[2]!.replaceAll('-', '_') } : null;
}

/** The codes of a score: the LOINC total code where the instrument has one, and always the instrument's own code. */
export function scoreCodings(definition: InstrumentDefinition, part: 'total' | string): Coding[] {
  const codings: Coding[] = [];
  if (part === 'total' && definition.loinc?.total) codings.push({ system: LOINC, code: definition.loinc.total, display: `${definition.names.short} total score` });
  const label = part === 'total' ? 'total score' : `${definition.scoring.subscales.find((s) => s.id === part)?.label ?? part} subscale score`;
  codings.push({ system: instrumentSystem(definition.id), code: part, display: `${definition.names.short} ${label}` });
  return codings;
}

/**
 * One Observation per score of a completed response: the total and each subscale with a score, as a
 * `valueQuantity` in `{score}`, derived from the QuestionnaireResponse, with the band as the
 * interpretation text. Scores are only ever LOINC-coded where the instrument has a verified code
 * (today the totals, e.g. PHQ-9 44261-6); subscales carry the instrument's own code.
 */
export function toObservations(response: ScoredResponseLike, definition: InstrumentDefinition): Observation[] {
  const out: Observation[] = [];
  const base = (part: string, value: number, band: string | null): Observation => ({
    resourceType: 'Observation',
    id: observationIdOf(response.id, part),
    status: 'final',
    category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'survey', display: 'Survey' }] }],
    code: { coding: scoreCodings(definition, part), text: `${definition.names.short} ${part === 'total' ? 'total' : part}` },
    subject: { reference: `Patient/${response.clientId}` },
    ...(response.submittedAt ? { effectiveDateTime: response.submittedAt.toISOString() } : {}),
    valueQuantity: { value, unit: '{score}', system: UCUM, code: '{score}' },
    ...(band ? { interpretation: [{ text: band }] } : {}),
    ...(part === 'total' && response.prorated ? { note: [{ text: 'Prorated: missing items were replaced by the mean of the answered ones, as the instrument allows.' }] } : {}),
    derivedFrom: [{ reference: `QuestionnaireResponse/${response.id}` }],
  });
  if (response.total !== null && response.total !== undefined) out.push(base('total', Number(response.total), response.bandLabel));
  for (const subscale of definition.scoring.subscales) {
    const value = response.subscales?.[subscale.id] as SubscaleValue | undefined;
    if (value && typeof value.score === 'number') out.push(base(subscale.id, value.score, value.band?.label ?? null));
  }
  return out;
}
