import { z } from 'zod';
import { badRequest } from '../../errors';
import type { Answers } from './questionnaire.queries';

/** A link token as `issueLink` makes them (43 base64url characters); anything else is simply unknown. */
export const tokenParams = z.strictObject({ token: z.string().max(200) });

export const openBody = z.strictObject({ token: z.string().max(200) });

/** `PUT /q/answers`: one answer. `null` clears it. */
export const answerBody = z.strictObject({
  instrumentId: z.string().min(1).max(64),
  itemId: z.string().min(1).max(64),
  value: z.number().finite().nullable(),
});

export const answerView = z.object({ saved: z.literal(true) });

const jsonSubmission = z.strictObject({
  submissionId: z.uuid(),
  answers: z.record(z.string().max(64), z.record(z.string().max(64), z.number().finite().nullable())).default({}),
});

const formNumber = /^-?\d+(\.\d+)?$/;

/**
 * `POST /q/submit` takes the JSON shape or the plain form post (`submissionId` and one
 * `<instrumentId>.<itemId>` field per answer). Both come out as `{ submissionId, answers }`.
 */
export function parseSubmission(body: unknown, isJson: boolean): { submissionId: string; answers: Record<string, Answers> } {
  if (isJson) {
    const parsed = jsonSubmission.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw badRequest(issue.message, issue.path.join('.') || undefined, 'validation_failed');
    }
    return parsed.data;
  }
  const fields = (body ?? {}) as Record<string, unknown>;
  const submissionId = z.uuid().safeParse(fields.submissionId);
  if (!submissionId.success) throw badRequest('This field is required.', 'submissionId', 'validation_failed');
  const answers: Record<string, Answers> = {};
  for (const [name, raw] of Object.entries(fields)) {
    if (name === 'submissionId') continue;
    const [instrumentId, itemId, extra] = name.split('.');
    if (!instrumentId || !itemId || extra !== undefined) throw badRequest(`Unknown field: ${name.slice(0, 64)}.`, name.slice(0, 64), 'validation_failed');
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (typeof value !== 'string' || (value !== '' && !formNumber.test(value))) throw badRequest('This is not a number.', `answers.${instrumentId}.${itemId}`, 'invalid_answer');
    (answers[instrumentId] ??= {})[itemId] = value === '' ? null : Number(value);
  }
  return { submissionId: submissionId.data, answers };
}

export const submitView = z.object({ status: z.literal('completed'), riskFlagged: z.boolean(), next: z.string() });

/** The clinic colour for `/q/theme.css`, without its `#`. */
export const themeQuery = z.strictObject({ c: z.string().regex(/^[0-9a-fA-F]{6}$/).optional() });
export const versionQuery = z.strictObject({ v: z.string().max(64).optional() });
export const formQuery = z.strictObject({ mode: z.enum(['handoff']).optional() });
