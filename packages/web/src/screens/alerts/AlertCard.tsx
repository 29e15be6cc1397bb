import { useState } from 'react';
import { endpoints } from '../../api/endpoints';
import { fieldError, formError } from '../../api/client';
import { RESOLUTION_ACTIONS, type AlertFull, type ResolutionAction } from '../../api/types';
import { Link } from '../../app/router';
import { useFormat, useT } from '../../i18n/i18n';
import { FormMessage, SelectField, TextArea, useSubmit } from '../../ui/ui';

/**
 * One alert with its lifecycle (issue 5 §3): open → acknowledged (who, when) → resolved (action
 * taken and a note). The note is required by the API; its message comes back next to the field.
 */
export function AlertCard({ alert, onChange, showClient = false, level = 3 }: { alert: AlertFull; onChange: (a: AlertFull) => void; showClient?: boolean; level?: 2 | 3 }) {
  const H = level === 2 ? 'h2' : 'h3';
  const t = useT();
  const fmt = useFormat();
  const [resolving, setResolving] = useState(false);
  const [action, setAction] = useState<ResolutionAction>('discussed_with_client');
  const [note, setNote] = useState('');
  const ack = useSubmit(async () => onChange(await endpoints.acknowledgeAlert(alert.clientId, alert.id)));
  const resolve = useSubmit(async () => {
    onChange(await endpoints.resolveAlert(alert.clientId, alert.id, { action, note }));
    setResolving(false);
  });
  const headingId = `alert-${alert.id}`;
  return (
    <li className={`alert-card${alert.urgent ? ' alert-urgent' : ''}`} aria-labelledby={headingId}>
      <H id={headingId}>
        {alert.urgent && <span className="badge badge-urgent">{t('alerts.urgent')}</span>} {t(`alerts.kind.${alert.kind}`)}
        {showClient && (
          <>
            {' · '}
            <Link to={`/clients/${alert.clientId}`}>{alert.clientName}</Link>
          </>
        )}
      </H>
      <p className="muted">
        {t('alerts.raised', { when: fmt.dateTime(alert.createdAt) })} · {t(`alerts.status.${alert.status}`)}
        {alert.acknowledgedAt ? ` · ${t('alerts.acknowledgedAt', { when: fmt.dateTime(alert.acknowledgedAt) })}` : ''}
        {alert.escalatedAt ? ` · ${t('alerts.escalatedAt', { when: fmt.dateTime(alert.escalatedAt) })}` : ''}
      </p>
      {alert.status === 'resolved' && alert.resolutionAction && (
        <p>
          {t('alerts.resolvedWith', { action: t(`alerts.action.${alert.resolutionAction as ResolutionAction}`) })}
          {alert.resolutionNote ? ` — ${alert.resolutionNote}` : ''}
        </p>
      )}
      <FormMessage error={formError(ack.error, [])} />
      {alert.status !== 'resolved' && (
        <div className="button-row">
          {alert.status === 'open' && (
            <button type="button" disabled={ack.pending} onClick={() => void ack.run()}>
              {t('alerts.acknowledge')}
            </button>
          )}
          {!resolving && (
            <button type="button" onClick={() => setResolving(true)}>
              {t('alerts.resolve')}
            </button>
          )}
        </div>
      )}
      {resolving && (
        <form
          className="subform"
          aria-label={t('alerts.resolveForm')}
          onSubmit={(e) => {
            e.preventDefault();
            void resolve.run();
          }}
          noValidate
        >
          <FormMessage error={formError(resolve.error, ['action', 'note'])} />
          <SelectField label={t('alerts.actionTaken')} value={action} onChange={(e) => setAction(e.target.value as ResolutionAction)} options={RESOLUTION_ACTIONS.map((a) => ({ value: a, label: t(`alerts.action.${a}`) }))} error={fieldError(resolve.error, 'action')} />
          <TextArea label={t('alerts.note')} value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} rows={3} error={fieldError(resolve.error, 'note')} />
          <div className="button-row">
            <button type="submit" className="primary" disabled={resolve.pending}>
              {t('alerts.resolveSubmit')}
            </button>
            <button type="button" onClick={() => setResolving(false)}>
              {t('action.cancel')}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
