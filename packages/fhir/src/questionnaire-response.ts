import type { InstrumentDefinition, InstrumentItem } from '@rapport/instruments';
import type { QuestionnaireResponse, QuestionnaireResponseItem, QuestionnaireResponseItemAnswer } from 'fhir/r4';
import { z } from 'zod';
import { LOINC, instrumentIdFromCanonical, instrumentSystem, questionnaireUrl, type CanonicalOptions } from './codes';
import { answerCoding } from './questionnaire';

/** What {@link toQuestionnaireResponse} needs of a stored response (a `responses` row has all of it). */
export type ResponseLike = {
  id: string;
  clientId: string;
  instrumentId: string;
  instrumentVersion: string;
  status: 'in_progress' | 'completed';
  answers: Readonly<Record<string, number | null>>;
  startedAt: Date;
  submittedAt: Date | null;
  respondent: 'client' | 'clinician';
  respondentUserId?: string | null;
};

/**
 * A stored response as a FHIR R4 QuestionnaireResponse: one item per answered item of the
 * definition, in the definition's order, each answer coded like the Questionnaire's answer option
 * (LOINC answer code where known) or a number for a visual-analogue item. The author is the client
 * (`Patient/<clientId>`) or, for a clinician's form, `Practitioner/<userId>`.
 */
export function toQuestionnaireResponse(response: ResponseLike, definition: InstrumentDefinition): QuestionnaireResponse {
  const item: QuestionnaireResponseItem[] = [];
  for (const defined of definition.items) {
    const value = response.answers[defined.id];
    if (value === null || value === undefined) continue;
    item.push({ linkId: defined.id, answer: [answerOf(definition, defined, value)] });
  }
  const author =
    response.respondent === 'clinician' && response.respondentUserId
      ? { reference: `Practitioner/${response.respondentUserId}` }
      : { reference: `Patient/${response.clientId}` };
  return {
    resourceType: 'QuestionnaireResponse',
    id: response.id,
    questionnaire: `${questionnaireUrl(response.instrumentId)}|${response.instrumentVersion}`,
    status: response.status === 'completed' ? 'completed' : 'in-progress',
    subject: { reference: `Patient/${response.clientId}` },
    authored: (response.submittedAt ?? response.startedAt).toISOString(),
    author,
    ...(item.length > 0 ? { item } : {}),
  };
}

function answerOf(definition: InstrumentDefinition, item: InstrumentItem, value: number): QuestionnaireResponseItemAnswer {
  if (item.response.kind === 'visual-analogue') return Number.isInteger(value) ? { valueInteger: value } : { valueDecimal: value };
  const option = item.response.options.find((o) => o.value === value);
  const display = option?.label?.en;
  return { valueCoding: { ...answerCoding(definition, item, value), ...(display ? { display } : {}) } };
}

/** One problem with an incoming resource, named by its FHIRPath-style location. */
export type FhirIssue = { expression: string; message: string };

export type ParsedQuestionnaireResponse = {
  /** The instrument the `questionnaire` canonical names. */
  instrumentId: string;
  /** The `id` of `subject: { reference: "Patient/<id>" }`. */
  patientId: string;
  authored: Date | null;
  resource: IncomingQuestionnaireResponse;
};

const coding = z.looseObject({ system: z.string().optional(), code: z.string().optional(), display: z.string().optional() });
const answer = z.looseObject({
  valueCoding: coding.optional(),
  valueInteger: z.number().int().optional(),
  valueDecimal: z.number().optional(),
});
type IncomingItem = { linkId: string; code?: z.infer<typeof coding>[]; definition?: string; answer?: z.infer<typeof answer>[]; item?: IncomingItem[] };
const item: z.ZodType<IncomingItem> = z.lazy(() =>
  z.looseObject({
    linkId: z.string().min(1),
    // Not in R4's QuestionnaireResponse.item, but some systems write the LOINC code here: accepted.
    code: z.array(coding).optional(),
    definition: z.string().optional(),
    answer: z.array(answer).optional(),
    item: z.array(item).optional(),
  }),
);
const questionnaireResponseSchema = z.looseObject({
  resourceType: z.literal('QuestionnaireResponse'),
  status: z.literal('completed', { error: 'Only a completed QuestionnaireResponse can be stored.' }),
  questionnaire: z.string().min(1),
  subject: z.looseObject({ reference: z.string().regex(/^Patient\/[A-Za-z0-9\-.]{1,64}$/, 'must be a reference to a Patient, such as Patient/<id>') }),
  authored: z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/, 'must be a FHIR dateTime').optional(),
  item: z.array(item).optional(),
});
export type IncomingQuestionnaireResponse = z.infer<typeof questionnaireResponseSchema>;

/** `['item', 3, 'answer', 0]` → `QuestionnaireResponse.item[3].answer[0]`. */
export function fhirPath(resourceType: string, path: readonly PropertyKey[]): string {
  let out = resourceType;
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  return out;
}

/**
 * Checks the shape of an incoming QuestionnaireResponse (the parts Rapport reads) and which
 * instrument and patient it is about. Issues name the FHIR path (`QuestionnaireResponse.subject.reference`).
 */
export function parseQuestionnaireResponse(
  input: unknown,
  options: CanonicalOptions = {},
): { ok: true; value: ParsedQuestionnaireResponse } | { ok: false; issues: FhirIssue[] } {
  const parsed = questionnaireResponseSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((i) => ({ expression: fhirPath('QuestionnaireResponse', i.path), message: i.message })) };
  }
  const resource = parsed.data;
  const instrumentId = instrumentIdFromCanonical(resource.questionnaire, options);
  if (!instrumentId) {
    return { ok: false, issues: [{ expression: 'QuestionnaireResponse.questionnaire', message: 'must name a Questionnaire of this server (urn:rapport:questionnaire:<id>, <base>/Questionnaire/<id>) or a LOINC panel (http://loinc.org/q/<code>) it provides' }] };
  }
  return {
    ok: true,
    value: {
      instrumentId,
      patientId: resource.subject.reference.slice('Patient/'.length),
      authored: resource.authored ? new Date(resource.authored.length === 10 ? `${resource.authored}T00:00:00Z` : resource.authored) : null,
      resource,
    },
  };
}

/**
 * The answers (item id → value) of a QuestionnaireResponse for `definition`. Items are matched by
 * `linkId` (Rapport's item id, or the item's LOINC code as other systems write it) or by a LOINC
 * `code`; groups are walked. Answers may be a `valueCoding` (LOINC answer code, or the instrument's
 * code whose code is the value), a `valueInteger` or a `valueDecimal`. An item carrying the
 * instrument's LOINC total code is ignored: Rapport computes the score itself. Every problem names its
 * path (`QuestionnaireResponse.item[3].answer[0]`).
 */
export function fromQuestionnaireResponse(
  resource: Pick<IncomingQuestionnaireResponse, 'item'>,
  definition: InstrumentDefinition,
): { ok: true; answers: Record<string, number | null> } | { ok: false; issues: FhirIssue[] } {
  const byLoinc = new Map<string, InstrumentItem>();
  for (const defined of definition.items) {
    const code = definition.loinc?.items[defined.id];
    if (code) byLoinc.set(code, defined);
  }
  const byId = new Map(definition.items.map((i) => [i.id, i]));
  const answers: Record<string, number | null> = {};
  const issues: FhirIssue[] = [];

  const visit = (items: readonly IncomingItem[] | undefined, path: string) => {
    (items ?? []).forEach((incoming, index) => {
      const here = `${path}.item[${index}]`;
      const loincCode = incoming.code?.find((c) => c.system === LOINC || c.system === undefined)?.code;
      const defined = byId.get(incoming.linkId) ?? byLoinc.get(incoming.linkId) ?? (loincCode ? byLoinc.get(loincCode) : undefined);
      const isTotal = !!definition.loinc?.total && (incoming.linkId === definition.loinc.total || loincCode === definition.loinc.total);
      if (!defined) {
        if (!isTotal && incoming.answer && incoming.answer.length > 0 && !incoming.item) {
          issues.push({ expression: `${here}.linkId`, message: `${definition.names.short} has no item ${incoming.linkId}` });
        }
        visit(incoming.item, here);
        return;
      }
      if (defined.id in answers) {
        issues.push({ expression: here, message: `item ${defined.id} is answered twice` });
        return;
      }
      const given = incoming.answer ?? [];
      if (given.length > 1) {
        issues.push({ expression: `${here}.answer[1]`, message: `item ${defined.id} takes one answer` });
        return;
      }
      if (given.length === 0) {
        answers[defined.id] = null;
        return;
      }
      const result = valueOf(definition, defined, given[0]!);
      if (typeof result === 'string') issues.push({ expression: `${here}.answer[0]`, message: result });
      else answers[defined.id] = result;
    });
  };
  visit(resource.item, 'QuestionnaireResponse');
  return issues.length > 0 ? { ok: false, issues } : { ok: true, answers };
}

/** The raw value of one answer, or a sentence saying why it is not one of the item's answers. */
function valueOf(definition: InstrumentDefinition, item: InstrumentItem, given: z.infer<typeof answer>): number | string {
  let value: number | undefined;
  if (given.valueCoding) {
    const { system, code } = given.valueCoding;
    if (!code) return 'valueCoding has no code';
    const loincAnswers = definition.loinc?.items[item.id] ? definition.loinc.answers : {};
    const fromLoinc = Object.entries(loincAnswers).find(([, answerCode]) => answerCode === code)?.[0];
    if ((system === LOINC || system === undefined) && fromLoinc !== undefined) value = Number(fromLoinc);
    else if ((system === instrumentSystem(definition.id) || system === undefined) && /^-?\d+(\.\d+)?$/.test(code)) value = Number(code);
    else return `${system ?? ''}|${code} is not an answer to ${item.id}`;
  } else if (given.valueInteger !== undefined) value = given.valueInteger;
  else if (given.valueDecimal !== undefined) value = given.valueDecimal;
  else return 'the answer must be a valueCoding, valueInteger or valueDecimal';
  if (item.response.kind === 'options') {
    if (!item.response.options.some((o) => o.value === value)) return `${value} is not an answer to ${item.id}`;
  } else if (value < item.response.min || value > item.response.max) {
    return `${value} is outside ${item.response.min}–${item.response.max} for ${item.id}`;
  }
  return value;
}
