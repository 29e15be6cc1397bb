import { useState } from 'react';
import { endpoints } from '../../api/endpoints';
import { formError } from '../../api/client';
import { Link } from '../../app/router';
import { useMe } from '../../app/session';
import { useFormat, useT } from '../../i18n/i18n';
import { FormMessage, SelectField, useAsync, useSubmit } from '../../ui/ui';
import type { ClientPanelProps } from './panels';

/** Full-page navigation to the questionnaire (swapped in tests: jsdom cannot navigate). */
export const browserNavigation = { assign: (url: string) => window.location.assign(url) };

/**
 * Actions on the client page: rate the session (one link per rating owed), send a questionnaire
 * now, or hand the device to the client (in-session: the API starts a link session for this
 * browser, then the questionnaire opens in this tab at `/q?mode=handoff`).
 */
export function ActionsPanel({ client, openEpisode }: ClientPanelProps) {
  const t = useT();
  const fmt = useFormat();
  const { can } = useMe();
  const pending = useAsync(() => endpoints.pendingRatings(client.id).then((r) => r.items).catch(() => []), [client.id]);
  const instruments = useAsync(() => endpoints.instruments().then((r) => r.items.filter((i) => i.respondent === 'client' && i.wordingAvailable)), []);
  const [instrumentId, setInstrumentId] = useState('');
  const [sent, setSent] = useState<string | undefined>();
  const chosen = instrumentId || instruments.data?.[0]?.id || '';
  const send = useSubmit(async (mode: 'send' | 'handoff') => {
    setSent(undefined);
    const { assignment } = await endpoints.assign(client.id, { instrumentIds: [chosen], ...(openEpisode ? { episodeId: openEpisode.id } : {}) });
    if (mode === 'handoff') {
      const { url } = await endpoints.startInSession(client.id, assignment.id);
      browserNavigation.assign(url);
      return;
    }
    setSent(t('actions.sent'));
  });
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
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void send.run('send');
        }}
      >
        <FormMessage error={formError(send.error, [])} success={sent} />
        <SelectField label={t('actions.questionnaire')} value={chosen} onChange={(e) => setInstrumentId(e.target.value)} options={(instruments.data ?? []).map((i) => ({ value: i.id, label: `${i.shortName} — ${i.name}` }))} />
        <button type="submit" disabled={!chosen || send.pending}>
          {t('actions.sendNow')}
        </button>
        {can('clinician') && (
          <button type="button" disabled={!chosen || send.pending} onClick={() => void send.run('handoff')}>
            {t('actions.handoff')}
          </button>
        )}
      </form>
    </>
  );
}
