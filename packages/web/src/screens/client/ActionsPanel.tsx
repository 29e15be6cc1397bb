import { useState } from 'react';
import { endpoints } from '../../api/endpoints';
import { Link } from '../../app/router';
import { useFormat, useT } from '../../i18n/i18n';
import { ErrorState, Loading, useAsync } from '../../ui/ui';
import type { ClientPanelProps } from './panels';
import { ClientAssignments, SendQuestionnaire } from './SendQuestionnaire';

export { browserNavigation } from './SendQuestionnaire';

/**
 * Actions on the client page (issue 6): rate the session (one link per rating owed), send a
 * questionnaire now or schedule it, hand the device to the client (in session: the API starts a
 * link session for this browser, then the questionnaire opens in this tab at `/q?mode=handoff`),
 * and the questionnaires still waiting, with cancel, resend and kiosk codes.
 */
export function ActionsPanel({ client, openEpisode }: ClientPanelProps) {
  const t = useT();
  const fmt = useFormat();
  const pending = useAsync(() => endpoints.pendingRatings(client.id).then((r) => r.items).catch(() => []), [client.id]);
  const instruments = useAsync(() => endpoints.instruments().then((r) => r.items.filter((i) => i.wordingAvailable)), []);
  const [reloadKey, setReloadKey] = useState(0);
  return (
    <>
      {(pending.data ?? []).length > 0 && (
        <ul className="plain-list">
          {pending.data!.map((p) => (
            <li key={p.assignmentId}>
              <Link className="button primary" to={`/clients/${client.id}/rate/${p.assignmentId}`}>
                {p.appointmentStartsAt ? t('actions.rateSessionOf', { when: fmt.dateTime(p.appointmentStartsAt) }) : t('actions.rateSession')}
              </Link>
            </li>
          ))}
        </ul>
      )}
      {instruments.error ? (
        <ErrorState error={instruments.error} onRetry={instruments.reload} />
      ) : !instruments.data ? (
        <Loading />
      ) : (
        <>
          <SendQuestionnaire client={client} openEpisode={openEpisode} instruments={instruments.data} onCreated={() => setReloadKey((k) => k + 1)} />
          <ClientAssignments client={client} instruments={instruments.data} reloadKey={reloadKey} />
        </>
      )}
    </>
  );
}
