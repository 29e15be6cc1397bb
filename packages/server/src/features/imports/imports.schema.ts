import { z } from 'zod';
import { mobileNumber, timeZone } from '../clients/clients.schema';

export const importKinds = ['clients', 'appointments', 'scores'] as const;
export type ImportKind = (typeof importKinds)[number];

export const importParams = z.strictObject({ kind: z.enum(importKinds) });

export const importQuery = z.strictObject({
  /** `all-or-nothing`: any invalid row and nothing is written. `valid-only`: the valid rows are written, the rest reported. */
  mode: z.enum(['all-or-nothing', 'valid-only']).default('all-or-nothing'),
  /** Validate every row (references included) and report, writing nothing. */
  dryRun: z.enum(['true', 'false']).default('false'),
});
export type ImportMode = z.infer<typeof importQuery>['mode'];

/** One problem with one row (or a duplicate skipped). Never quotes the cell's value: it may be health information. */
export const importProblemView = z.object({ row: z.number().int(), column: z.string().nullable(), code: z.string(), message: z.string() });
export type ImportProblem = z.infer<typeof importProblemView>;

export const importReportView = z.object({
  importId: z.uuid(),
  kind: z.enum(importKinds),
  /** `csv` or `ical` (appointments only). */
  format: z.enum(['csv', 'ical']),
  mode: z.enum(['all-or-nothing', 'valid-only']),
  dryRun: z.boolean(),
  /** Data rows read (CSV rows after the header, or VEVENTs). */
  rows: z.number().int(),
  /** Rows that passed every check and are not duplicates: what was (or, in a dry run, would be) written. */
  valid: z.number().int(),
  invalid: z.number().int(),
  /** Rows skipped because the clinic already has them (or the file has them twice): reported, never duplicated, and they do not block the import. */
  duplicates: z.number().int(),
  /** Rows written. 0 in a dry run and when an all-or-nothing import met an invalid row. */
  imported: z.number().int(),
  /** The first problems, in row order (at most {@link MAX_LISTED_PROBLEMS}); `moreErrors` counts the rest. */
  errors: z.array(importProblemView),
  moreErrors: z.number().int(),
});
export type ImportReport = z.infer<typeof importReportView>;

/** How many problems a report lists; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 200;

/** The columns a CSV of each kind may have. A header must name every `required` column and one of each `oneOf` group. */
export type ColumnSpec = { required: readonly string[]; optional: readonly string[]; oneOf: readonly (readonly string[])[] };

const clientRef = ['client_external_id', 'client_email'] as const;

export const importColumns: Record<ImportKind, ColumnSpec> = {
  clients: {
    required: ['given_name', 'family_name'],
    optional: ['preferred_name', 'email', 'mobile', 'language', 'time_zone', 'date_of_birth', 'external_id', 'clinician_email'],
    oneOf: [],
  },
  appointments: {
    required: ['clinician_email', 'starts_at'],
    optional: [...clientRef, 'duration_minutes', 'kind', 'status'],
    oneOf: [clientRef],
  },
  scores: {
    required: ['instrument_id', 'date'],
    optional: [...clientRef, 'total', 'answers'],
    oneOf: [clientRef],
  },
};

/** A CSV row as read: column → trimmed text, an empty cell is absent. */
export type RawRow = Record<string, string | undefined>;

// Each message says what is wrong with the cell without quoting it (the report is shown and may be
// saved; the cell may be a name, a date of birth or a score).
const required = (max: number) => z.string({ error: 'required' }).max(max, `longer than ${max} characters`);
const email = z.email('not an email address').max(254, 'longer than 254 characters');
/** Years a clinical record can plausibly hold; PostgreSQL refuses year 0, which the ISO formats allow. */
const plausibleYear = (value: string) => {
  const year = Number(value.slice(0, 4));
  return year >= 1900 && year <= 2200;
};
const isoDate = z.iso.date('not a date (expected YYYY-MM-DD)').refine(plausibleYear, 'not a date between the years 1900 and 2200');
const isoInstant = z.iso
  .datetime({ offset: true, error: 'not a date and time with an offset (expected e.g. 2026-03-02T10:00:00+01:00)' })
  .refine(plausibleYear, 'not a date between the years 1900 and 2200');
const wholeNumber = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(/^\d+$/, `not a whole number (${what})`)
    .transform(Number)
    .pipe(z.number().min(min, `out of range (${what})`).max(max, `out of range (${what})`));

export const clientRow = z.object({
  given_name: required(100),
  family_name: required(100),
  preferred_name: z.string().max(100, 'longer than 100 characters').optional(),
  email: email.optional(),
  /** The client API's own rule: international format, spaces allowed. */
  mobile: mobileNumber.optional(),
  language: z.enum(['en', 'fr'], 'not one of en, fr').optional(),
  time_zone: timeZone.optional(),
  date_of_birth: isoDate.optional(),
  external_id: z.string().max(100, 'longer than 100 characters').optional(),
  clinician_email: email.optional(),
});
export type ClientRowValues = z.infer<typeof clientRow>;

/** One address, or several separated by spaces (an iCal event's attendees): the first that is a client's counts. */
const emailList = z
  .string()
  .transform((v) => v.split(/\s+/).filter(Boolean))
  .pipe(z.array(email).min(1, 'not an email address').max(50, 'more than 50 addresses'));

export const appointmentRow = z.object({
  client_external_id: z.string().max(100, 'longer than 100 characters').optional(),
  client_email: emailList.optional(),
  clinician_email: z.string({ error: 'required' }).pipe(email),
  starts_at: z.string({ error: 'required' }).pipe(isoInstant),
  duration_minutes: wholeNumber(5, 480, '5 to 480 minutes').optional(),
  kind: z.enum(['assessment', 'treatment', 'follow_up'], 'not one of assessment, treatment, follow_up').optional(),
  status: z.enum(['scheduled', 'attended', 'cancelled', 'did_not_attend'], 'not one of scheduled, attended, cancelled, did_not_attend').optional(),
});
export type AppointmentRowValues = z.infer<typeof appointmentRow>;

/** `phq9_1=2; phq9_2=1` → { phq9_1: 2, phq9_2: 1 }; an empty value (`phq9_9=`) is an unanswered item. */
const answerList = z.string().transform((text, context) => {
  const answers: [string, number | null][] = [];
  for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9_.-]{1,64})\s*=\s*(-?\d+(?:\.\d+)?)?$/.exec(part);
    if (!match) {
      context.addIssue({ code: 'custom', message: 'not a list of item=value pairs separated by ; (e.g. phq9_1=2; phq9_2=1)' });
      return z.NEVER;
    }
    answers.push([match[1]!, match[2] === undefined ? null : Number(match[2])]);
  }
  // fromEntries defines each key as the row's own (an item called __proto__ is then just an unknown item).
  return Object.fromEntries(answers) as Record<string, number | null>;
});

export const scoreRow = z.object({
  client_external_id: z.string().max(100, 'longer than 100 characters').optional(),
  client_email: email.transform((e) => [e]).optional(),
  instrument_id: z.string({ error: 'required' }).max(100, 'longer than 100 characters'),
  /** A calendar date (stored at 12:00 UTC, so it stays that date in every time zone) or an instant with its offset. */
  date: z.string({ error: 'required' }).refine((v) => isoDate.safeParse(v).success || isoInstant.safeParse(v).success, 'not a date (expected YYYY-MM-DD or e.g. 2026-03-02T10:00:00+01:00)'),
  total: z
    .string()
    .regex(/^-?\d+(?:\.\d+)?$/, 'not a number')
    .transform(Number)
    .optional(),
  answers: answerList.optional(),
});
export type ScoreRowValues = z.infer<typeof scoreRow>;
