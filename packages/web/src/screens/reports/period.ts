/** The report's period presets; "custom" is any other pair of dates. */
export const PERIOD_PRESETS = ['last90', 'last365', 'thisYear', 'lastYear'] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];
export type Period = { from: string; to: string };

/** Today's date (YYYY-MM-DD) in the clinic's time zone, so "this year" turns over at the clinic's midnight. */
export function todayIn(timeZone: string | undefined, now: Date = new Date()): string {
  // en-CA formats a date as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The dates of a preset, both inclusive (as the API reads them), ending today. */
export function presetPeriod(preset: PeriodPreset, today: string): Period {
  const year = Number(today.slice(0, 4));
  switch (preset) {
    case 'last90':
      return { from: addDays(today, -89), to: today };
    case 'last365':
      return { from: addDays(today, -364), to: today };
    case 'thisYear':
      return { from: `${year}-01-01`, to: today };
    case 'lastYear':
      return { from: `${year - 1}-01-01`, to: `${year - 1}-12-31` };
  }
}

/** Which preset a pair of dates is, or 'custom'. */
export function presetOf(period: Period, today: string): PeriodPreset | 'custom' {
  return PERIOD_PRESETS.find((p) => {
    const range = presetPeriod(p, today);
    return range.from === period.from && range.to === period.to;
  }) ?? 'custom';
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
/** A real calendar date in the API's format (the date input gives '' while half typed). */
export function isIsoDate(value: string | null | undefined): value is string {
  if (!value || !isoDate.test(value)) return false;
  const d = new Date(`${value}T12:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}
