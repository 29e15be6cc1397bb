import type { Appointment, Attendance } from '../../api/types';
import { useT } from '../../i18n/i18n';
import { useSubmit } from '../../ui/ui';

/**
 * Attended / did not attend / cancelled in one click; the current status is the pressed button.
 * An appointment that has not started yet can only be cancelled (the API refuses the others).
 */
export function AttendanceButtons({ appointment, label, onRecord, now = Date.now() }: { appointment: Appointment; label: string; onRecord: (body: Attendance) => Promise<void>; now?: number }) {
  const t = useT();
  const submit = useSubmit(onRecord);
  const future = Date.parse(appointment.startsAt) > now;
  const all: { body: Attendance; pressed: boolean; text: string }[] = [
    { body: { status: 'attended' }, pressed: appointment.status === 'attended', text: t('attendance.attended') },
    { body: { status: 'did_not_attend' }, pressed: appointment.status === 'did_not_attend', text: t('attendance.dna') },
    { body: { status: 'cancelled', cancelledBy: 'client' }, pressed: appointment.status === 'cancelled', text: t('attendance.cancelled') },
  ];
  const choices = future ? all.filter((c) => c.body.status === 'cancelled') : all;
  return (
    <div className="attendance">
      <div role="group" aria-label={t('attendance.group', { name: label })} className="button-group">
        {choices.map((c) => (
          <button key={c.body.status} type="button" aria-pressed={c.pressed} disabled={submit.pending} onClick={() => void submit.run(c.body)}>
            {c.text}
          </button>
        ))}
      </div>
      {submit.error ? (
        <p className="field-error" role="alert">
          {submit.error instanceof Error ? submit.error.message : String(submit.error)}
        </p>
      ) : null}
    </div>
  );
}
