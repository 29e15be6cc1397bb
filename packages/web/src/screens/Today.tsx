import { useState } from 'react';
import { endpoints } from '../api/endpoints';
import type { Attendance, DayAppointment } from '../api/types';
import { Link } from '../app/router';
import { useMe } from '../app/session';
import { useFormat, useI18n } from '../i18n/i18n';
import { Async, PageTitle, useAsync } from '../ui/ui';
import { clientName } from './client/names';
import { AttendanceButtons } from './client/AttendanceButtons';

/** Today's date (YYYY-MM-DD) in a time zone. */
export function isoDateIn(timeZone: string | undefined, at = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}
function shiftDate(iso: string, days: number): string {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The day's appointments with one-click attendance. */
export function Today() {
  const { t } = useI18n();
  const fmt = useFormat();
  const { organisation } = useMe();
  const [date, setDate] = useState(() => isoDateIn(organisation?.settings.timeZone));
  const state = useAsync(() => endpoints.day(date), [date]);

  const replace = (updated: DayAppointment) => {
    if (state.data) state.setData({ ...state.data, items: state.data.items.map((a) => (a.id === updated.id ? updated : a)) });
  };

  return (
    <section>
      <PageTitle title={t('today.title')}>{t('today.title')}</PageTitle>
      <div className="day-picker">
        <button type="button" onClick={() => setDate(shiftDate(date, -1))}>
          <span aria-hidden="true">← </span>
          {t('today.previous')}
        </button>
        <div className="field">
          <label htmlFor="today-date">{t('today.date')}</label>
          <input id="today-date" type="date" value={date} onChange={(e) => e.target.value && setDate(e.target.value)} />
        </div>
        <button type="button" onClick={() => setDate(shiftDate(date, 1))}>
          {t('today.next')}
          <span aria-hidden="true"> →</span>
        </button>
      </div>
      <h2>{fmt.longDate(date)}</h2>
      <Async state={state} isEmpty={(d) => d.items.length === 0} empty={t('today.empty')}>
        {(day) => (
          <ul className="day-list">
            {day.items.map((a) => (
              <li key={a.id} className={`appointment status-${a.status}`}>
                <div className="appointment-main">
                  <span className="time">{fmt.time(a.startsAt)}</span>
                  <Link to={`/clients/${a.clientId}`}>{clientName(a.client)}</Link>
                  <span className="muted">
                    {t(`appointment.kind.${a.kind}`)} · {t('today.minutes', { count: a.durationMinutes })} · {a.clinician.displayName}
                  </span>
                </div>
                <AttendanceButtons
                  appointment={a}
                  label={clientName(a.client)}
                  onRecord={async (body: Attendance) => {
                    const updated = await endpoints.recordAttendance(a.clientId, a.id, body);
                    replace({ ...a, ...updated });
                  }}
                />
              </li>
            ))}
          </ul>
        )}
      </Async>
    </section>
  );
}
