import { z } from 'zod';

const isoDate = z.iso.date('Use a date such as 2026-03-01.').refine((d) => Number.isFinite(Date.parse(`${d}T00:00:00Z`)), 'Use a date such as 2026-03-01.');

/** `GET /api/v1/exports/responses.csv`: every filter optional; dates are UTC days, `to` inclusive. */
export const responsesExportQuery = z
  .strictObject({
    programmeId: z.uuid().optional(),
    clinicianId: z.uuid().optional(),
    instrumentId: z.string().regex(/^[a-z0-9_]{1,64}$/, 'Use an instrument id such as phq9.').optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    deidentified: z.enum(['true', 'false']).default('false'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'The start date must not be after the end date.', path: ['from'] });

export type ResponsesExportQuery = z.infer<typeof responsesExportQuery>;
