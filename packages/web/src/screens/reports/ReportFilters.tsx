import { useState, type FormEvent } from 'react';
import type { OutcomeReportScope, Programme, StaffUser } from '../../api/types';
import { useT } from '../../i18n/i18n';
import { SelectField, TextField } from '../../ui/ui';
import { isIsoDate, PERIOD_PRESETS, presetOf, presetPeriod, type PeriodPreset } from './period';

type Props = {
  scope: OutcomeReportScope;
  today: string;
  programmes: Programme[];
  /** Null when the viewer sees only their own caseload (a clinician): no therapist filter. */
  therapists: StaffUser[] | null;
  onApply: (scope: OutcomeReportScope) => void;
};

/**
 * Programme, therapist and period. Nothing is fetched until "Show the report" (a half-typed date
 * would otherwise ask the server for a report on every key press); a preset fills both dates.
 */
export function ReportFilters({ scope, today, programmes, therapists, onApply }: Props) {
  const t = useT();
  const [from, setFrom] = useState(scope.from);
  const [to, setTo] = useState(scope.to);
  const [preset, setPreset] = useState<PeriodPreset | 'custom'>(presetOf(scope, today));
  const [programmeId, setProgrammeId] = useState(scope.programmeId ?? '');
  const [clinicianId, setClinicianId] = useState(scope.clinicianId ?? '');
  const [errors, setErrors] = useState<{ from?: string; to?: string }>({});

  const choosePreset = (value: PeriodPreset | 'custom') => {
    setPreset(value);
    if (value === 'custom') return;
    const period = presetPeriod(value, today);
    setFrom(period.from);
    setTo(period.to);
    setErrors({});
  };
  const changeDate = (which: 'from' | 'to', value: string) => {
    const next = { from, to, [which]: value };
    if (which === 'from') setFrom(value);
    else setTo(value);
    setPreset(presetOf(next, today));
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: { from?: string; to?: string } = {};
    if (!isIsoDate(from)) found.from = t('reports.filter.dateNeeded');
    if (!isIsoDate(to)) found.to = t('reports.filter.dateNeeded');
    if (!found.from && !found.to && from > to) found.to = t('reports.filter.toBeforeFrom');
    setErrors(found);
    if (found.from || found.to) return;
    onApply({ from, to, programmeId: programmeId || undefined, clinicianId: clinicianId || undefined });
  };

  return (
    <form className="filters report-filters" onSubmit={submit} noValidate aria-label={t('reports.filter.label')}>
      <SelectField
        label={t('reports.filter.period')}
        value={preset}
        onChange={(e) => choosePreset(e.target.value as PeriodPreset | 'custom')}
        options={[...PERIOD_PRESETS, 'custom' as const].map((p) => ({ value: p, label: t(`reports.preset.${p}`) }))}
      />
      <TextField label={t('reports.filter.from')} type="date" value={from} max={to || undefined} onChange={(e) => changeDate('from', e.target.value)} error={errors.from} />
      <TextField label={t('reports.filter.to')} type="date" value={to} min={from || undefined} onChange={(e) => changeDate('to', e.target.value)} error={errors.to} />
      <SelectField
        label={t('episode.programme')}
        value={programmeId}
        onChange={(e) => setProgrammeId(e.target.value)}
        options={[{ value: '', label: t('reports.filter.allProgrammes') }, ...programmes.map((p) => ({ value: p.id, label: p.archivedAt ? t('reports.filter.archived', { name: p.name }) : p.name }))]}
      />
      {therapists && (
        <SelectField
          label={t('reports.therapist')}
          hint={t('reports.filter.therapistHint')}
          value={clinicianId}
          onChange={(e) => setClinicianId(e.target.value)}
          options={[{ value: '', label: t('reports.filter.allTherapists') }, ...therapists.map((u) => ({ value: u.id, label: u.status === 'deactivated' ? t('reports.filter.deactivated', { name: u.displayName }) : u.displayName }))]}
        />
      )}
      <div className="field">
        <button type="submit" className="primary">
          {t('reports.filter.apply')}
        </button>
      </div>
    </form>
  );
}
