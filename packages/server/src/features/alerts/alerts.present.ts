import type { AlertRow } from './alerts.queries';

type ClientName = { givenName: string; familyName: string; preferredName: string | null };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The only shape of an alert sent to the browser (staff only; the client's name is for the list). */
export function presentAlert(a: AlertRow, client: ClientName) {
  return {
    id: a.id,
    clientId: a.clientId,
    clientName: `${client.preferredName ?? client.givenName} ${client.familyName}`,
    episodeId: a.episodeId,
    responseId: a.responseId,
    kind: a.kind,
    urgent: a.urgent,
    status: a.status,
    evidence: a.evidence,
    rulesVersion: a.rulesVersion,
    createdAt: a.createdAt.toISOString(),
    acknowledgedBy: a.acknowledgedBy,
    acknowledgedAt: iso(a.acknowledgedAt),
    resolvedBy: a.resolvedBy,
    resolvedAt: iso(a.resolvedAt),
    resolutionAction: a.resolutionAction,
    resolutionNote: a.resolutionNote,
    escalatedAt: iso(a.escalatedAt),
  };
}
