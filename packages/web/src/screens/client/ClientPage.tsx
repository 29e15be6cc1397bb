import { useState } from 'react';
import { endpoints } from '../../api/endpoints';
import { fieldError, formError } from '../../api/client';
import {
  APPOINTMENT_KINDS,
  END_REASONS,
  PRESENTING_PROBLEMS,
  type Appointment,
  type AppointmentKind,
  type CareTeamMember,
  type Channel,
  type Client,
  type EndReason,
  type Episode,
  type PresentingProblem,
  type StaffUser,
} from '../../api/types';
import { Link } from '../../app/router';
import { useMe } from '../../app/session';
import { useFormat, useT, type MessageKey } from '../../i18n/i18n';
import { Async, ErrorState, FormMessage, Loading, PageTitle, SelectField, TextField, useAsync, useSubmit } from '../../ui/ui';
import { AttendanceButtons } from './AttendanceButtons';
import { ClientForm } from './ClientForm';
import { clientName } from './names';
import { clientPanels } from './panels';

const todayIso = () => new Date().toISOString().slice(0, 10);
/** `datetime-local` value (browser's zone) for an ISO instant, and back. */
const toLocalInput = (iso: string) => {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : '');

/** Active staff for pickers: only admins and supervisors may list staff (GET /users). */
function useStaff() {
  const { can } = useMe();
  return useAsync<StaffUser[]>(() => (can('admin', 'supervisor') ? endpoints.users('active').then((r) => r.items) : Promise.resolve([])), []);
}

export function ClientPage({ clientId }: { clientId: string }) {
  const t = useT();
  const { can } = useMe();
  const client = useAsync(() => endpoints.client(clientId), [clientId]);
  const episodes = useAsync(() => endpoints.episodes(clientId).then((r) => r.items), [clientId]);
  const careTeam = useAsync(() => endpoints.careTeam(clientId).then((r) => r.items), [clientId]);
  const staff = useStaff();
  const [editing, setEditing] = useState(false);

  if (client.error) return <ErrorState error={client.error} onRetry={client.reload} />;
  if (!client.data) return <Loading />;
  const c = client.data;
  const openEpisode = episodes.data?.find((e) => e.status === 'open') ?? null;
  const names = new Map<string, string>([...(staff.data ?? []).map((s) => [s.id, s.displayName] as const), ...(careTeam.data ?? []).map((m) => [m.userId, m.displayName] as const)]);

  return (
    <article className="client-page">
      <div className="page-head">
        <PageTitle title={clientName(c)}>{clientName(c)}</PageTitle>
        {can('admin') && (
          <Link to={`/clients/${c.id}/audit`} className="button">
            {t('client.auditLink')}
          </Link>
        )}
      </div>

      <nav aria-label={t('client.onThisPage')} className="jump-links">
        <ul>
          {clientPanels.map((panel) => (
            <li key={panel.id}>
              <a href={`#${panel.id}-h`}>{t(panel.title)}</a>
            </li>
          ))}
          <li>
            <a href="#appointments-h">{t('appointment.title')}</a>
          </li>
          <li>
            <a href="#details-h">{t('client.details')}</a>
          </li>
          <li>
            <a href="#episodes-h">{t('episode.title')}</a>
          </li>
        </ul>
      </nav>

      {clientPanels.map((panel) => (
        <section key={panel.id} aria-labelledby={`${panel.id}-h`} className="panel">
          <h2 id={`${panel.id}-h`}>{t(panel.title)}</h2>
          {panel.render({ client: c, openEpisode })}
        </section>
      ))}

      <AppointmentsSection client={c} staff={staff.data ?? []} names={names} />
      <section aria-labelledby="details-h" className="panel">
        <h2 id="details-h">{t('client.details')}</h2>
        {editing ? (
          <ClientForm
            client={c}
            submitLabel={t('action.save')}
            onCancel={() => setEditing(false)}
            onSave={async (input) => {
              client.setData(await endpoints.updateClient(c.id, input));
              setEditing(false);
            }}
          />
        ) : (
          <>
            <Details client={c} />
            <button type="button" onClick={() => setEditing(true)}>
              {t('action.edit')}
            </button>
          </>
        )}
      </section>

      <ConsentSection clientId={c.id} names={names} />
      <CareTeamSection clientId={c.id} state={careTeam} staff={staff.data ?? []} />
      <EpisodesSection clientId={c.id} state={episodes} staff={staff.data ?? []} names={names} />
    </article>
  );
}

function Details({ client: c }: { client: Client }) {
  const t = useT();
  const fmt = useFormat();
  const none = <span className="muted">{t('common.none')}</span>;
  const rows: [MessageKey, React.ReactNode][] = [
    ['client.preferredName', c.preferredName ?? none],
    ['field.email', c.email ?? none],
    ['client.mobile', c.mobile ?? none],
    ['client.language', c.language === 'fr' ? 'Français' : 'English'],
    ['client.timeZone', c.timeZone ?? t('client.clinicTimeZone')],
    ['client.dateOfBirth', c.dateOfBirth ? fmt.date(c.dateOfBirth) : none],
    ['client.externalRef', c.externalRef ?? none],
    ['client.status', c.status === 'active' ? t('status.active') : t('status.inactive')],
  ];
  return (
    <dl className="details">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{t(k)}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function ConsentSection({ clientId, names }: { clientId: string; names: Map<string, string> }) {
  const t = useT();
  const fmt = useFormat();
  const state = useAsync(() => endpoints.consents(clientId), [clientId]);
  const [note, setNote] = useState('');
  const record = useSubmit(async (channel: Channel, granted: boolean) => {
    await endpoints.recordConsent(clientId, { channel, granted, ...(note.trim() ? { note: note.trim() } : {}) });
    setNote('');
    state.reload();
  });
  return (
    <section aria-labelledby="consent-h" className="panel">
      <h2 id="consent-h">{t('consent.title')}</h2>
      <p className="hint">{t('consent.intro')}</p>
      <Async state={state}>
        {(data) => (
          <>
            <FormMessage error={formError(record.error, ['note'])} />
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">{t('consent.channel')}</th>
                  <th scope="col">{t('consent.current')}</th>
                  <th scope="col">{t('consent.recorded')}</th>
                  <th scope="col">{t('consent.change')}</th>
                </tr>
              </thead>
              <tbody>
                {(['email', 'sms'] as const).map((channel) => {
                  const current = data.current.find((x) => x.channel === channel);
                  const who = current ? (current.source === 'client' ? t('consent.byClient') : (current.recordedBy && names.get(current.recordedBy)) || t('consent.byStaff')) : '';
                  return (
                    <tr key={channel}>
                      <th scope="row">{t(`consent.channel.${channel}`)}</th>
                      <td>{current ? (current.granted ? t('consent.granted') : t('consent.withdrawn')) : t('consent.notRecorded')}</td>
                      <td>
                        {current ? t('consent.whoWhen', { who, when: fmt.dateTime(current.recordedAt) }) : '—'}
                        {current?.note ? <div className="muted">{current.note}</div> : null}
                      </td>
                      <td>
                        <button type="button" disabled={record.pending} onClick={() => void record.run(channel, !current?.granted)}>
                          {current?.granted ? t('consent.recordWithdrawal', { channel: t(`consent.channel.${channel}`) }) : t('consent.recordConsent', { channel: t(`consent.channel.${channel}`) })}
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <TextField label={t('consent.note')} hint={t('consent.noteHint')} value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} error={fieldError(record.error, 'note')} />
          </>
        )}
      </Async>
    </section>
  );
}

function CareTeamSection({ clientId, state, staff }: { clientId: string; state: ReturnType<typeof useAsync<CareTeamMember[]>>; staff: StaffUser[] }) {
  const t = useT();
  const { can } = useMe();
  const [adding, setAdding] = useState('');
  const change = useSubmit(async (action: 'add' | 'remove', userId: string) => {
    if (action === 'add') await endpoints.addToCareTeam(clientId, userId);
    else await endpoints.removeFromCareTeam(clientId, userId);
    setAdding('');
    state.reload();
  });
  const manage = can('admin', 'supervisor');
  const addable = staff.filter((s) => !state.data?.some((m) => m.userId === s.id));
  return (
    <section aria-labelledby="team-h" className="panel">
      <h2 id="team-h">{t('team.title')}</h2>
      <FormMessage error={formError(change.error, [])} />
      <Async state={state} isEmpty={(d) => d.length === 0} empty={t('team.empty')}>
        {(team) => (
          <ul className="plain-list">
            {team.map((m) => (
              <li key={m.userId}>
                {m.displayName} <span className="muted">({t(`role.${m.role as 'admin'}`)})</span>
                {manage && (
                  <button type="button" className="small" disabled={change.pending} onClick={() => void change.run('remove', m.userId)}>
                    {t('team.remove', { name: m.displayName })}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Async>
      {manage && addable.length > 0 && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (adding) void change.run('add', adding);
          }}
        >
          <SelectField label={t('team.add')} value={adding} onChange={(e) => setAdding(e.target.value)} options={[{ value: '', label: t('common.choose') }, ...addable.map((s) => ({ value: s.id, label: s.displayName }))]} />
          <button type="submit" disabled={!adding || change.pending}>
            {t('team.addButton')}
          </button>
        </form>
      )}
    </section>
  );
}

function EpisodesSection({ clientId, state, staff, names }: { clientId: string; state: ReturnType<typeof useAsync<Episode[]>>; staff: StaffUser[]; names: Map<string, string> }) {
  const t = useT();
  const fmt = useFormat();
  const programmes = useAsync(() => endpoints.programmes().then((r) => r.items), []);
  const open = state.data?.find((e) => e.status === 'open');
  return (
    <section aria-labelledby="episodes-h" className="panel">
      <h2 id="episodes-h">{t('episode.title')}</h2>
      <Async state={state} isEmpty={(d) => d.length === 0} empty={t('episode.empty')}>
        {(list) => (
          <ul className="plain-list">
            {list.map((e) => (
              <li key={e.id}>
                <strong>{e.presentingProblem ? t(`problem.${e.presentingProblem as PresentingProblem}`) : t('common.none')}</strong>{' '}
                {e.status === 'open'
                  ? t('episode.openSince', { date: fmt.date(e.startedOn) })
                  : t('episode.closedOn', { start: fmt.date(e.startedOn), end: e.endedOn ? fmt.date(e.endedOn) : '', reason: e.endReason ? t(`endReason.${e.endReason}`) : '' })}
                {' · '}
                {programmes.data?.find((p) => p.id === e.programmeId)?.name ?? t('episode.noProgramme')}
                {' · '}
                {names.get(e.primaryClinicianId) ?? ''}
              </li>
            ))}
          </ul>
        )}
      </Async>
      {state.data && (open ? <CloseEpisodeForm clientId={clientId} episode={open} onDone={state.reload} /> : <OpenEpisodeForm clientId={clientId} programmes={programmes.data ?? []} staff={staff} onDone={state.reload} />)}
    </section>
  );
}

function OpenEpisodeForm({ clientId, programmes, staff, onDone }: { clientId: string; programmes: { id: string; name: string }[]; staff: StaffUser[]; onDone: () => void }) {
  const t = useT();
  const [problem, setProblem] = useState<PresentingProblem>('depression');
  const [startedOn, setStartedOn] = useState(todayIso);
  const [programmeId, setProgrammeId] = useState('');
  const [clinicianId, setClinicianId] = useState('');
  const submit = useSubmit(async () => {
    await endpoints.openEpisode(clientId, { presentingProblem: problem, startedOn, ...(programmeId ? { programmeId } : {}), ...(clinicianId ? { primaryClinicianId: clinicianId } : {}) });
    onDone();
  });
  const fields = ['presentingProblem', 'startedOn', 'programmeId', 'primaryClinicianId'];
  return (
    <form
      className="subform"
      aria-labelledby="open-episode-h"
      onSubmit={(e) => {
        e.preventDefault();
        void submit.run();
      }}
      noValidate
    >
      <h3 id="open-episode-h">{t('episode.open')}</h3>
      <FormMessage error={formError(submit.error, fields)} />
      <div className="form-grid">
        <SelectField label={t('episode.problem')} value={problem} onChange={(e) => setProblem(e.target.value as PresentingProblem)} options={PRESENTING_PROBLEMS.map((p) => ({ value: p, label: t(`problem.${p}`) }))} error={fieldError(submit.error, 'presentingProblem')} />
        <TextField label={t('episode.startedOn')} type="date" value={startedOn} onChange={(e) => setStartedOn(e.target.value)} error={fieldError(submit.error, 'startedOn')} />
        <SelectField label={t('episode.programme')} value={programmeId} onChange={(e) => setProgrammeId(e.target.value)} options={[{ value: '', label: t('episode.noProgramme') }, ...programmes.map((p) => ({ value: p.id, label: p.name }))]} error={fieldError(submit.error, 'programmeId')} />
        {staff.length > 0 && (
          <SelectField label={t('episode.primaryClinician')} value={clinicianId} onChange={(e) => setClinicianId(e.target.value)} options={[{ value: '', label: t('common.me') }, ...staff.map((s) => ({ value: s.id, label: s.displayName }))]} error={fieldError(submit.error, 'primaryClinicianId')} />
        )}
      </div>
      <button type="submit" className="primary" disabled={submit.pending}>
        {t('episode.openButton')}
      </button>
    </form>
  );
}

function CloseEpisodeForm({ clientId, episode, onDone }: { clientId: string; episode: Episode; onDone: () => void }) {
  const t = useT();
  const [endedOn, setEndedOn] = useState(todayIso);
  const [reason, setReason] = useState<EndReason>('completed');
  const [shown, setShown] = useState(false);
  const submit = useSubmit(async () => {
    await endpoints.closeEpisode(clientId, episode.id, { endedOn, endReason: reason });
    setShown(false);
    onDone();
  });
  if (!shown)
    return (
      <button type="button" onClick={() => setShown(true)}>
        {t('episode.close')}
      </button>
    );
  return (
    <form
      className="subform"
      aria-labelledby="close-episode-h"
      onSubmit={(e) => {
        e.preventDefault();
        void submit.run();
      }}
      noValidate
    >
      <h3 id="close-episode-h">{t('episode.close')}</h3>
      <FormMessage error={formError(submit.error, ['endedOn', 'endReason'])} />
      <div className="form-grid">
        <TextField label={t('episode.endedOn')} type="date" value={endedOn} onChange={(e) => setEndedOn(e.target.value)} error={fieldError(submit.error, 'endedOn')} />
        <SelectField label={t('episode.endReason')} value={reason} onChange={(e) => setReason(e.target.value as EndReason)} options={END_REASONS.map((r) => ({ value: r, label: t(`endReason.${r}`) }))} error={fieldError(submit.error, 'endReason')} />
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={submit.pending}>
          {t('episode.closeButton')}
        </button>
        <button type="button" onClick={() => setShown(false)}>
          {t('action.cancel')}
        </button>
      </div>
    </form>
  );
}

function AppointmentsSection({ client, staff, names }: { client: Client; staff: StaffUser[]; names: Map<string, string> }) {
  const t = useT();
  const fmt = useFormat();
  const state = useAsync(() => endpoints.appointments(client.id).then((r) => r.items), [client.id]);
  const [moving, setMoving] = useState<string | null>(null);
  const replace = (a: Appointment) => state.data && state.setData(state.data.map((x) => (x.id === a.id ? a : x)));
  const sorted = [...(state.data ?? [])].sort((a, b) => Date.parse(b.startsAt) - Date.parse(a.startsAt));
  return (
    <section aria-labelledby="appointments-h" className="panel">
      <h2 id="appointments-h">{t('appointment.title')}</h2>
      <BookAppointmentForm clientId={client.id} staff={staff} onBooked={state.reload} />
      <Async state={state} isEmpty={(d) => d.length === 0} empty={t('appointment.empty')}>
        {() => (
          <ul className="day-list">
            {sorted.map((a) => (
              <li key={a.id} className={`appointment status-${a.status}`}>
                <div className="appointment-main">
                  <span className="time">{fmt.dateTime(a.startsAt)}</span>
                  <span>
                    {t(`appointment.kind.${a.kind}`)} · {t('today.minutes', { count: a.durationMinutes })}
                    {names.get(a.clinicianId) ? ` · ${names.get(a.clinicianId)}` : ''}
                  </span>
                  <span className="muted">{t(`appointment.status.${a.status}`)}</span>
                </div>
                <AttendanceButtons appointment={a} label={fmt.dateTime(a.startsAt)} onRecord={async (body) => replace(await endpoints.recordAttendance(client.id, a.id, body))} />
                {a.status === 'scheduled' &&
                  (moving === a.id ? (
                    <MoveAppointmentForm
                      clientId={client.id}
                      appointment={a}
                      onDone={(updated) => {
                        if (updated) replace(updated);
                        setMoving(null);
                      }}
                    />
                  ) : (
                    <button type="button" className="small" onClick={() => setMoving(a.id)}>
                      {t('appointment.move')}
                    </button>
                  ))}
              </li>
            ))}
          </ul>
        )}
      </Async>
    </section>
  );
}

function BookAppointmentForm({ clientId, staff, onBooked }: { clientId: string; staff: StaffUser[]; onBooked: () => void }) {
  const t = useT();
  const [startsAt, setStartsAt] = useState('');
  const [duration, setDuration] = useState('50');
  const [kind, setKind] = useState<AppointmentKind>('treatment');
  const [clinicianId, setClinicianId] = useState('');
  const [missing, setMissing] = useState(false);
  const submit = useSubmit(async () => {
    await endpoints.bookAppointment(clientId, { startsAt: fromLocalInput(startsAt), durationMinutes: Number(duration), kind, ...(clinicianId ? { clinicianId } : {}) });
    setStartsAt('');
    onBooked();
  });
  const fields = ['startsAt', 'durationMinutes', 'kind', 'clinicianId', 'episodeId'];
  return (
    <form
      className="subform"
      aria-labelledby="book-h"
      onSubmit={(e) => {
        e.preventDefault();
        if (!startsAt) return setMissing(true);
        setMissing(false);
        void submit.run();
      }}
      noValidate
    >
      <h3 id="book-h">{t('appointment.book')}</h3>
      <FormMessage error={formError(submit.error, fields.filter((f) => f !== 'episodeId'))} />
      <div className="form-grid">
        <TextField label={t('appointment.startsAt')} type="datetime-local" name="startsAt" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} required error={missing ? t('field.required') : fieldError(submit.error, 'startsAt')} />
        <TextField label={t('appointment.duration')} type="number" min={5} max={480} step={5} value={duration} onChange={(e) => setDuration(e.target.value)} error={fieldError(submit.error, 'durationMinutes')} />
        <SelectField label={t('appointment.kind')} value={kind} onChange={(e) => setKind(e.target.value as AppointmentKind)} options={APPOINTMENT_KINDS.map((k) => ({ value: k, label: t(`appointment.kind.${k}`) }))} />
        {staff.length > 0 && (
          <SelectField label={t('appointment.clinician')} value={clinicianId} onChange={(e) => setClinicianId(e.target.value)} options={[{ value: '', label: t('appointment.episodeClinician') }, ...staff.map((s) => ({ value: s.id, label: s.displayName }))]} error={fieldError(submit.error, 'clinicianId')} />
        )}
      </div>
      <button type="submit" className="primary" disabled={submit.pending}>
        {t('appointment.bookButton')}
      </button>
    </form>
  );
}

function MoveAppointmentForm({ clientId, appointment, onDone }: { clientId: string; appointment: Appointment; onDone: (a?: Appointment) => void }) {
  const t = useT();
  const [startsAt, setStartsAt] = useState(() => toLocalInput(appointment.startsAt));
  const submit = useSubmit(async () => onDone(await endpoints.moveAppointment(clientId, appointment.id, { startsAt: fromLocalInput(startsAt) })));
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit.run();
      }}
      noValidate
    >
      <FormMessage error={formError(submit.error, ['startsAt'])} />
      <TextField label={t('appointment.newTime')} type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} error={fieldError(submit.error, 'startsAt')} />
      <button type="submit" className="primary" disabled={submit.pending}>
        {t('appointment.moveButton')}
      </button>
      <button type="button" onClick={() => onDone()}>
        {t('action.cancel')}
      </button>
    </form>
  );
}
