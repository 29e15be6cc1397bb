import type { InstrumentDefinition, ScoreResult } from '@rapport/instruments';
import type { alerts } from '../../db/schema';

/** Version of the rules that raise alerts; stored on every alert (`rules_version`). */
export const ALERT_RULES_VERSION = '1.0.0';

/** What a risk-item alert records about each flagged item: which one, and why. */
export type RiskItemEvidence = {
  itemId: string;
  /** `endorsed`: answered at or above the definition's threshold; `unanswered`: left blank. */
  state: 'endorsed' | 'unanswered';
  riskKind: string;
  /** A Rapport clinical-safety rule rather than the manual's own (CORE-10 item 6). */
  clinicalSafety: boolean;
  /** The answer given (null when unanswered), when the caller passed the answers. */
  value?: number | null;
};

export type NewAlert = Omit<typeof alerts.$inferInsert, 'id' | 'createdAt'>;

/** Where the scored answers came from: the completed response the alert points at. */
export type AlertSubject = {
  orgId: string;
  clientId: string;
  episodeId?: string | null;
  responseId: string;
  /** The questionnaire sent, recorded in the evidence when there was one. */
  assignmentId?: string | null;
  /** The answers, so the evidence records each flagged item's value. */
  answers?: Readonly<Record<string, number | null | undefined>>;
};

/**
 * The alerts one scored response raises (issue 4, item 7): when any risk item the definition
 * declares (PHQ-9 item 9 above 0, CORE-10 item 6, …) is endorsed or left unanswered, one urgent
 * `risk_item` alert listing every such item. Its evidence key is `response:<responseId>:<itemIds>`,
 * so the same response can never raise it twice. Pure: the caller inserts the rows in the
 * submission's transaction (see `raiseAlerts`). Other kinds (deterioration, alliance) are issue 5's.
 */
export function riskAlertsFor(
  result: Pick<ScoreResult, 'flags'>,
  instrument: Pick<InstrumentDefinition, 'id' | 'version' | 'risk'>,
  subject: AlertSubject,
): NewAlert[] {
  const items: RiskItemEvidence[] = [];
  for (const flag of result.flags) {
    if (flag.kind !== 'risk' && flag.kind !== 'risk-unanswered') continue;
    const rule = instrument.risk.find((r) => r.itemId === flag.itemId);
    items.push({
      itemId: flag.itemId,
      state: flag.kind === 'risk' ? 'endorsed' : 'unanswered',
      riskKind: rule?.kind ?? 'unspecified',
      clinicalSafety: rule?.clinicalSafety ?? false,
      ...(subject.answers ? { value: subject.answers[flag.itemId] ?? null } : {}),
    });
  }
  if (items.length === 0) return [];
  return [
    {
      orgId: subject.orgId,
      clientId: subject.clientId,
      episodeId: subject.episodeId ?? null,
      responseId: subject.responseId,
      kind: 'risk_item',
      urgent: true,
      status: 'open',
      evidenceKey: `response:${subject.responseId}:${items.map((i) => i.itemId).join('+')}`,
      evidence: {
        instrumentId: instrument.id,
        instrumentVersion: instrument.version,
        responseId: subject.responseId,
        ...(subject.assignmentId ? { assignmentId: subject.assignmentId } : {}),
        items,
      },
      rulesVersion: ALERT_RULES_VERSION,
    },
  ];
}
