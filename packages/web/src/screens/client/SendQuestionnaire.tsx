import { useId, useMemo, useState } from 'react';
import { endpoints } from '../../api/endpoints';
import { fieldError, formError } from '../../api/client';
import type { Assignment, Client, Consent, Episode, InstrumentSummary } from '../../api/types';
import { useMe } from '../../app/session';
import { useI18n, useT, type MessageKey } from '../../i18n/i18n';
import { Async, ErrorState, FormMessage, Loading, useAsync, useSubmit } from '../../ui/ui';

/** Full-page navigation to the questionnaire (swapped in tests: jsdom cannot navigate). */
export const browserNavigation = { assign: (url: string) => window.location.assign(url) };

/**
 * The UTC instant of a wall-clock time (`YYYY-MM-DDTHH:mm`, as a datetime-local input gives it) in
 * an IANA time zone. Two passes over the zone's offset, so a time next to a daylight-saving change
 * lands on the offset in force at that time; a time skipped by the change moves forward.
 */
export function zonedTimeToUtc(local: string, timeZone: string): Date {
  const [date = '', time = ''] = local.split('T');
  const [y, m, d] = date.split('-').map(Number);
  const [h, min] = time.split(':').map(Number);
  const wall = Date.UTC(y!, m! - 1, d!, h!, min!);
  const offsetAt = (instant: number) => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).formatToParts(new Date(instant));
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute')) - Math.floor(instant / 60_000) * 60_000;
  };
  const first = wall - offsetAt(wall);
  return new Date(wall - offsetAt(first));
}

type MessageChannel = 'email' | 'sms' | 'kiosk';
type ChannelOption = { channel: MessageChannel; why: MessageKey | null };

/** Which channels can carry a questionnaire to this client, and why the others cannot (issue 6). */
export function channelOptions(client: Pick<Client, 'email' | 'mobile'>, consents: readonly Pick<Consent, 'channel' | 'granted'>[]): ChannelOption[] {
  const granted = (channel: 'email' | 'sms') => consents.some((c) => c.channel === channel && c.granted);
  return [
    { channel: 'email', why: !granted('email') ? 'actions.why.noConsent' : !client.email ? 'actions.why.noEmail' : null },
    { channel: 'sms', why: !granted('sms') ? 'actions.why.noConsent' : !client.mobile ? 'actions.why.noMobile' : null },
    { channel: 'kiosk', why: null },
  ];
}

const OPEN_STATUSES = ['scheduled', 'sent', 'opened', 'in_progress'];
const byMessage = (channel: string) => channel !== 'in_session' && channel !== 'kiosk';

/** Dates and times in the client's time zone (the clinic's when the client has none). */
function useClientTime(client: Client) {
  const { locale } = useI18n();
  const { organisation } = useMe();
  const timeZone = client.timeZone ?? organisation?.settings.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const format = useMemo(() => new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }), [locale, timeZone]);
  return { timeZone, quietHours: organisation?.settings.quietHours ?? null, format: (iso: string) => format.format(new Date(iso)) };
}

type Props = { client: Client; openEpisode: Episode | null; instruments: InstrumentSummary[]; onCreated: () => void };

/**
 * Send a questionnaire now or schedule it (issue 6): instruments, who answers, the channel (only
 * those the client consented to, with the reason the others are off), and the time in the client's
 * time zone. The server moves messages out of quiet hours and says when they will go; this form
 * tells the clinician. "Hand the device to the client" makes an in-session questionnaire (no
 * message) and opens it in this tab.
 */
export function SendQuestionnaire({ client, openEpisode, instruments, onCreated }: Props) {
  const t = useT();
  const { can } = useMe();
  const time = useClientTime(client);
  const consents = useAsync(() => endpoints.consents(client.id).then((r) => r.current), [client.id]);
  const [respondent, setRespondent] = useState<'client' | 'clinician'>('client');
  const [chosen, setChosen] = useState<string[]>([]);
  const [channel, setChannel] = useState<MessageChannel | ''>('');
  const [when, setWhen] = useState<'now' | 'later'>('now');
  const [at, setAt] = useState('');
  const [localError, setLocalError] = useState<{ field: 'instruments' | 'at'; message: string } | null>(null);
  const [done, setDone] = useState<string | undefined>();
  const ids = useId();

  const available = instruments.filter((i) => (i.respondent === 'clinician' ? 'clinician' : 'client') === respondent);
  const options = consents.data ? channelOptions(client, consents.data) : [];
  const channelInUse = respondent === 'clinician' ? null : channel || options.find((o) => o.why === null)?.channel || 'kiosk';

  const submit = useSubmit(async (mode: 'send' | 'handoff') => {
    setDone(undefined);
    setLocalError(null);
    if (chosen.length === 0) return setLocalError({ field: 'instruments', message: t('actions.chooseInstrument') });
    let scheduledFor: string | undefined;
    if (mode === 'send' && when === 'later') {
      if (!at) return setLocalError({ field: 'at', message: t('actions.chooseTime') });
      const instant = zonedTimeToUtc(at, time.timeZone);
      if (instant.getTime() <= Date.now()) return setLocalError({ field: 'at', message: t('actions.timeInPast') });
      scheduledFor = instant.toISOString();
    }
    const body = {
      instrumentIds: chosen,
      ...(openEpisode ? { episodeId: openEpisode.id } : {}),
      ...(scheduledFor ? { scheduledFor } : {}),
      channel: mode === 'handoff' || respondent === 'clinician' ? ('in_session' as const) : channelInUse!,
    };
    const { assignment, sendAt } = await endpoints.assign(client.id, body);
    if (mode === 'handoff') {
      const { url } = await endpoints.startInSession(client.id, assignment.id);
      browserNavigation.assign(url);
      return;
    }
    setChosen([]);
    onCreated();
    setDone(successText(t, time.format, assignment, sendAt, Boolean(scheduledFor)));
  });

  const toggle = (id: string, on: boolean) => setChosen((c) => (on ? [...c, id] : c.filter((x) => x !== id)));
  const submitLabel: MessageKey =
    respondent === 'clinician' ? 'actions.create' : when === 'later' ? 'actions.schedule' : channelInUse === 'kiosk' ? 'actions.prepareKiosk' : 'actions.sendNow';
  const serverField = (f: string) => fieldError(submit.error, f);

  return (
    <form
      className="subform"
      aria-labelledby={`${ids}-title`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit.run('send');
      }}
    >
      <h3 id={`${ids}-title`}>{t('actions.sendTitle')}</h3>
      <FormMessage error={formError(submit.error, ['channel', 'instrumentIds', 'scheduledFor'])} success={done} />

      <fieldset className="field">
        <legend>{t('actions.respondent')}</legend>
        {(['client', 'clinician'] as const).map((r) => (
          <label key={r} className="field-checkbox">
            <input
              type="radio"
              name={`${ids}-respondent`}
              value={r}
              checked={respondent === r}
              onChange={() => {
                setRespondent(r);
                setChosen([]);
              }}
            />
            {t(`actions.respondent.${r}`)}
          </label>
        ))}
      </fieldset>

      <fieldset className={`field${localError?.field === 'instruments' || serverField('instrumentIds') ? ' field-invalid' : ''}`} aria-describedby={`${ids}-instruments-hint`}>
        <legend>{t('actions.instruments')}</legend>
        <p className="hint" id={`${ids}-instruments-hint`}>
          {t('actions.instrumentsHint')}
        </p>
        {available.length === 0 && <p className="muted">{t('actions.noInstruments')}</p>}
        {available.map((i) => (
          <label key={i.id} className="field-checkbox">
            <input type="checkbox" checked={chosen.includes(i.id)} onChange={(e) => toggle(i.id, e.target.checked)} />
            {`${i.shortName} — ${i.name}`}
          </label>
        ))}
        {(localError?.field === 'instruments' || serverField('instrumentIds')) && <p className="field-error">{localError?.field === 'instruments' ? localError.message : serverField('instrumentIds')}</p>}
      </fieldset>

      {respondent === 'client' ? (
        <fieldset className={`field${serverField('channel') ? ' field-invalid' : ''}`} aria-describedby={`${ids}-channel-hint`}>
          <legend>{t('actions.channel')}</legend>
          <p className="hint" id={`${ids}-channel-hint`}>
            {t('actions.channelHint')}
          </p>
          {consents.error ? (
            <ErrorState error={consents.error} onRetry={consents.reload} />
          ) : !consents.data ? (
            <Loading />
          ) : (
            options.map((o) => (
              <label key={o.channel} className="field-checkbox">
                <input type="radio" name={`${ids}-channel`} value={o.channel} disabled={o.why !== null} checked={channelInUse === o.channel} onChange={() => setChannel(o.channel)} />
                {t(`actions.channel.${o.channel}`)}
                {o.why && <span className="muted"> — {t(o.why)}</span>}
              </label>
            ))
          )}
          {serverField('channel') && <p className="field-error">{serverField('channel')}</p>}
        </fieldset>
      ) : (
        <p className="hint">{t('actions.clinicianHint')}</p>
      )}

      <fieldset className={`field${localError?.field === 'at' || serverField('scheduledFor') ? ' field-invalid' : ''}`} aria-describedby={`${ids}-when-hint`}>
        <legend>{t('actions.when')}</legend>
        <p className="hint" id={`${ids}-when-hint`}>
          {time.quietHours ? t('actions.whenHintQuiet', { zone: time.timeZone, start: time.quietHours.start, end: time.quietHours.end }) : t('actions.whenHint', { zone: time.timeZone })}
        </p>
        <label className="field-checkbox">
          <input type="radio" name={`${ids}-when`} value="now" checked={when === 'now'} onChange={() => setWhen('now')} />
          {t('actions.when.now')}
        </label>
        <label className="field-checkbox">
          <input type="radio" name={`${ids}-when`} value="later" checked={when === 'later'} onChange={() => setWhen('later')} />
          {t('actions.when.later')}
        </label>
        {when === 'later' && (
          <div className="field">
            <label htmlFor={`${ids}-at`}>{t('actions.at', { zone: time.timeZone })}</label>
            <input
              id={`${ids}-at`}
              type="datetime-local"
              value={at}
              onChange={(e) => setAt(e.target.value)}
              aria-invalid={localError?.field === 'at' ? true : undefined}
              aria-describedby={localError?.field === 'at' ? `${ids}-at-error` : undefined}
            />
            {localError?.field === 'at' && (
              <p className="field-error" id={`${ids}-at-error`}>
                {localError.message}
              </p>
            )}
          </div>
        )}
      </fieldset>

      <div className="form-actions">
        <button type="submit" className="primary" disabled={submit.pending || (respondent === 'client' && !consents.data)}>
          {t(submitLabel)}
        </button>
        {respondent === 'client' && can('clinician') && when === 'now' && (
          <button type="button" disabled={submit.pending} onClick={() => void submit.run('handoff')}>
            {t('actions.handoff')}
          </button>
        )}
      </div>
    </form>
  );
}

function successText(t: ReturnType<typeof useT>, format: (iso: string) => string, assignment: Assignment, sendAt: string | null, scheduled: boolean): string {
  if (assignment.respondent === 'clinician') return t('actions.created');
  if (assignment.channel === 'kiosk') return t('actions.readyAtKiosk');
  const moved = sendAt !== null && new Date(sendAt).getTime() > new Date(assignment.scheduledFor).getTime();
  if (!scheduled) return moved ? t('actions.quietNow', { when: format(sendAt!) }) : t('actions.sent');
  const first = t('actions.scheduled', { when: format(assignment.scheduledFor) });
  return moved ? `${first} ${t('actions.quietMoved', { when: format(sendAt!) })}` : first;
}

/**
 * The client's questionnaires still waiting (scheduled, sent, opened, in progress), with cancel,
 * resend (sent by a message) and a kiosk code (kiosk ones, and those no consented channel could carry).
 */
export function ClientAssignments({ client, instruments, reloadKey }: { client: Client; instruments: InstrumentSummary[]; reloadKey: number }) {
  const t = useT();
  const time = useClientTime(client);
  const state = useAsync(() => endpoints.assignments(client.id).then((r) => r.items.filter((a) => OPEN_STATUSES.includes(a.status))), [client.id, reloadKey]);
  const [message, setMessage] = useState<string | undefined>();
  const names = new Map(instruments.map((i) => [i.id, i.shortName]));
  const label = (a: Assignment) => a.instrumentIds.map((id) => names.get(id) ?? id).join(', ');
  const act = useSubmit(async (kind: 'cancel' | 'resend' | 'kiosk', a: Assignment) => {
    setMessage(undefined);
    if (kind === 'cancel') {
      await endpoints.cancelAssignment(client.id, a.id);
      setMessage(t('actions.cancelled', { what: label(a) }));
    } else if (kind === 'resend') {
      const { sendAt } = await endpoints.resendAssignment(client.id, a.id);
      setMessage(t('actions.resent', { what: label(a), when: sendAt ? time.format(sendAt) : '' }));
    } else {
      const { code, expiresAt } = await endpoints.kioskCode(client.id, a.id);
      setMessage(t('actions.kioskCode', { code, when: time.format(expiresAt) }));
    }
    state.reload();
  });
  return (
    <section aria-labelledby={`waiting-${client.id}`}>
      <h3 id={`waiting-${client.id}`}>{t('actions.waitingTitle')}</h3>
      <FormMessage error={formError(act.error, [])} success={message} />
      <Async state={state} isEmpty={(items) => items.length === 0} empty={t('actions.noneWaiting')}>
        {(items) => (
          <div className="table-scroll">
            <table className="data">
              <caption className="visually-hidden">{t('actions.waitingCaption', { zone: time.timeZone })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('actions.instruments')}</th>
                  <th scope="col">{t('actions.channel')}</th>
                  <th scope="col">{t('actions.whenCol', { zone: time.timeZone })}</th>
                  <th scope="col">{t('actions.statusCol')}</th>
                  <th scope="col">{t('actions.actionsCol')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((a) => (
                  <tr key={a.id}>
                    <th scope="row">{label(a)}</th>
                    <td>{a.respondent === 'clinician' ? t('actions.clinicianRated') : t(`actions.channel.${a.channel}`)}</td>
                    <td>{time.format(a.sentAt ?? a.scheduledFor)}</td>
                    <td>{a.deliveryProblem ? t('actions.status.noChannel') : t(statusKey(a.status))}</td>
                    <td>
                      <div className="button-row">
                        {a.respondent === 'client' && byMessage(a.channel) && a.status !== 'scheduled' && (
                          <button type="button" disabled={act.pending} onClick={() => void act.run('resend', a)}>
                            {t('actions.resend')}{' '}
                            <span className="visually-hidden">{label(a)}</span>
                          </button>
                        )}
                        {a.respondent === 'client' && (a.channel === 'kiosk' || a.deliveryProblem) && (
                          <button type="button" disabled={act.pending} onClick={() => void act.run('kiosk', a)}>
                            {t('actions.kioskCodeButton')}{' '}
                            <span className="visually-hidden">{label(a)}</span>
                          </button>
                        )}
                        <button type="button" disabled={act.pending} onClick={() => void act.run('cancel', a)}>
                          {t('actions.cancel')}{' '}
                          <span className="visually-hidden">{label(a)}</span>
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
    </section>
  );
}

const statusKey = (status: string): MessageKey =>
  status === 'sent' ? 'actions.status.sent' : status === 'opened' ? 'actions.status.opened' : status === 'in_progress' ? 'actions.status.in_progress' : 'actions.status.scheduled';
