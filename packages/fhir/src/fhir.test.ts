import { beforeAll, describe, expect, it } from 'vitest';
import { builtInDefinitions, getInstrument, renderableInstrument, scoreResponse, type InstrumentDefinition } from '@rapport/instruments';
import type { QuestionnaireResponse } from 'fhir/r4';
import {
  bundle,
  fromQuestionnaireResponse,
  instrumentIdFromCanonical,
  operationOutcome,
  parseQuestionnaireResponse,
  toObservations,
  toPatient,
  toQuestionnaire,
  toQuestionnaireResponse,
} from './index';
import { fhirSchemaErrors } from './testing';

const CLIENT = '0b8f5f5e-6a8c-4a51-9a3e-1f2f3a4b5c6d';
const RESPONSE = '7d0c6a3e-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const phq9 = getInstrument('phq9');

function storedResponse(definition: InstrumentDefinition, answers: Record<string, number | null>) {
  const score = scoreResponse(definition.id, answers);
  return {
    id: RESPONSE,
    clientId: CLIENT,
    instrumentId: definition.id,
    instrumentVersion: definition.version,
    status: 'completed' as const,
    answers,
    startedAt: new Date('2026-11-20T09:00:00Z'),
    submittedAt: new Date('2026-11-20T09:05:00Z'),
    respondent: 'client' as const,
    total: score.total,
    bandLabel: score.band?.label ?? null,
    subscales: score.subscales,
    prorated: score.prorated,
  };
}

/** Every answer at the lowest option (or the bottom of the line). */
function lowestAnswers(definition: InstrumentDefinition): Record<string, number> {
  return Object.fromEntries(
    definition.items.map((i) => [i.id, i.response.kind === 'options' ? Math.min(...i.response.options.map((o) => o.value)) : i.response.min]),
  );
}

// Compiling HL7's schema takes a few seconds, once.
beforeAll(() => void fhirSchemaErrors({ resourceType: 'Basic' }), 60_000);

describe('toQuestionnaire', () => {
  it.each(builtInDefinitions.map((d) => [d.id]))('turns %s into a Questionnaire that validates against the FHIR R4 JSON Schema', (id) => {
    const definition = getInstrument(id);
    const renderable = definition.needsLicensedWording ? null : renderableInstrument(id);
    const questionnaire = toQuestionnaire(definition, renderable);
    expect(fhirSchemaErrors(questionnaire)).toEqual([]);
    expect(questionnaire.status).toBe('active');
    expect(questionnaire.url).toBe(`urn:rapport:questionnaire:${id}`);
    expect(questionnaire.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
  });

  it('carries the PHQ-9 LOINC panel, item and answer codes, the ordinal values and the licence', () => {
    const questionnaire = toQuestionnaire(phq9, renderableInstrument('phq9'));
    expect(questionnaire.code).toEqual([{ system: 'http://loinc.org', code: '44249-1', display: 'Patient Health Questionnaire-9' }]);
    const first = questionnaire.item!.find((i) => i.linkId === 'phq9_1')!;
    expect(first.code).toEqual([{ system: 'http://loinc.org', code: '44250-9' }]);
    expect(first.text).toBe('Little interest or pleasure in doing things');
    expect(first.answerOption![0]).toEqual({
      valueCoding: { system: 'http://loinc.org', code: 'LA6568-5', display: 'Not at all' },
      extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/ordinalValue', valueDecimal: 0 }],
    });
    const difficulty = questionnaire.item!.find((i) => i.linkId === 'phq9_difficulty')!;
    expect(difficulty.code).toBeUndefined();
    expect(difficulty.answerOption![1]!.valueCoding).toEqual({ system: 'urn:rapport:instrument:phq9', code: '1', display: 'Somewhat difficult' });
    expect(questionnaire.copyright).toContain('Pfizer');
  });

  it('leaves item text out when licensed wording is missing', () => {
    const licensed = builtInDefinitions.find((d) => getInstrument(d.id).needsLicensedWording)!;
    const questionnaire = toQuestionnaire(getInstrument(licensed.id), null);
    expect(questionnaire.item!.every((i) => i.text === undefined)).toBe(true);
  });
});

describe('QuestionnaireResponse', () => {
  const answers = { phq9_1: 1, phq9_2: 2, phq9_3: 3, phq9_4: 0, phq9_5: 1, phq9_6: 2, phq9_7: 0, phq9_8: 1, phq9_9: 1, phq9_difficulty: 2 };

  it('writes a stored response that validates and reads back to the same answers', () => {
    const resource = toQuestionnaireResponse(storedResponse(phq9, answers), phq9);
    expect(fhirSchemaErrors(resource)).toEqual([]);
    expect(resource.questionnaire).toBe('urn:rapport:questionnaire:phq9|1.0.0');
    expect(resource.item![0]!.answer![0]!.valueCoding).toEqual({ system: 'http://loinc.org', code: 'LA6569-3', display: 'Several days' });
    const parsed = parseQuestionnaireResponse(resource);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.instrumentId).toBe('phq9');
    expect(parsed.value.patientId).toBe(CLIENT);
    expect(fromQuestionnaireResponse(parsed.value.resource, phq9)).toEqual({ ok: true, answers });
  });

  it.each(builtInDefinitions.map((d) => [d.id]))('round-trips %s answers', (id) => {
    const definition = getInstrument(id);
    const given = lowestAnswers(definition);
    const resource = toQuestionnaireResponse(storedResponse(definition, given), definition);
    expect(fhirSchemaErrors(resource)).toEqual([]);
    expect(fromQuestionnaireResponse(resource as never, definition)).toEqual({ ok: true, answers: given });
  });

  it('imports a PHQ-9 written the way other systems write it: LOINC linkIds, LOINC answer codes and the total item', () => {
    const loincItems = ['44250-9', '44255-8', '44259-0', '44254-1', '44251-7', '44258-2', '44252-5', '44253-3', '44260-8'];
    const answerCodes = ['LA6569-3', 'LA6570-1', 'LA6571-9', 'LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6568-5', 'LA6569-3', 'LA6569-3'];
    const foreign: QuestionnaireResponse = {
      resourceType: 'QuestionnaireResponse',
      questionnaire: 'http://loinc.org/q/44249-1',
      status: 'completed',
      subject: { reference: `Patient/${CLIENT}` },
      authored: '2026-11-20T09:05:00+01:00',
      item: [
        ...loincItems.map((code, index) => ({
          linkId: code,
          text: 'as written elsewhere',
          answer: [{ valueCoding: { system: 'http://loinc.org', code: answerCodes[index]!, display: 'whatever' } }],
        })),
        { linkId: '44261-6', answer: [{ valueInteger: 11 }] },
      ],
    };
    expect(fhirSchemaErrors(foreign)).toEqual([]);
    const parsed = parseQuestionnaireResponse(foreign, { loincPanels: { '44249-1': 'phq9' } });
    expect(parsed.ok && parsed.value.instrumentId).toBe('phq9');
    expect(parsed.ok && parsed.value.authored?.toISOString()).toBe('2026-11-20T08:05:00.000Z');
    const result = fromQuestionnaireResponse(foreign as never, phq9);
    expect(result).toEqual({ ok: true, answers: { phq9_1: 1, phq9_2: 2, phq9_3: 3, phq9_4: 0, phq9_5: 1, phq9_6: 2, phq9_7: 0, phq9_8: 1, phq9_9: 1 } });
    if (result.ok) expect(scoreResponse('phq9', result.answers).total).toBe(11);
  });

  it.each([
    ['urn:rapport:questionnaire:phq9|1.0.0', 'phq9'],
    ['https://clinic.example/fhir/R4/Questionnaire/rapport-alliance', 'rapport_alliance'],
    ['http://loinc.org/q/44249-1', 'phq9'],
    ['https://elsewhere.example/Questionnaire/phq9', null],
    ['http://loinc.org/q/99999-9', null],
  ])('reads the questionnaire canonical %s as %s', (canonical, expected) => {
    expect(instrumentIdFromCanonical(canonical, { baseUrl: 'https://clinic.example/fhir/R4', loincPanels: { '44249-1': 'phq9' } })).toBe(expected);
  });

  it('matches items by a LOINC code inside groups, and takes integer answers and codes of our own system', () => {
    const resource = {
      item: [
        {
          linkId: 'group',
          item: [
            { linkId: 'q1', code: [{ system: 'http://loinc.org', code: '44250-9' }], answer: [{ valueInteger: 3 }] },
            { linkId: 'phq9_2', answer: [{ valueCoding: { system: 'urn:rapport:instrument:phq9', code: '2' } }] },
          ],
        },
      ],
    };
    expect(fromQuestionnaireResponse(resource, phq9)).toEqual({ ok: true, answers: { phq9_1: 3, phq9_2: 2 } });
  });

  it.each([
    ['an answer that is not an option', [{ linkId: 'phq9_1', answer: [{ valueInteger: 4 }] }], 'QuestionnaireResponse.item[0].answer[0]'],
    ['an unknown LOINC answer code', [{ linkId: '44250-9', answer: [{ valueCoding: { system: 'http://loinc.org', code: 'LA0000-0' } }] }], 'QuestionnaireResponse.item[0].answer[0]'],
    ['an item the instrument does not have', [{ linkId: 'phq9_1', answer: [{ valueInteger: 1 }] }, { linkId: 'mystery', answer: [{ valueInteger: 1 }] }], 'QuestionnaireResponse.item[1].linkId'],
    ['two answers to one item', [{ linkId: 'phq9_1', answer: [{ valueInteger: 1 }, { valueInteger: 2 }] }], 'QuestionnaireResponse.item[0].answer[1]'],
    ['an answer of the wrong type', [{ linkId: 'phq9_1', answer: [{ valueString: 'often' }] }], 'QuestionnaireResponse.item[0].answer[0]'],
    ['the same item twice', [{ linkId: 'phq9_1', answer: [{ valueInteger: 1 }] }, { linkId: '44250-9', answer: [{ valueInteger: 1 }] }], 'QuestionnaireResponse.item[1]'],
  ])('refuses %s, naming the path', (_name, item, expression) => {
    const result = fromQuestionnaireResponse({ item } as never, phq9);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]!.expression).toBe(expression);
  });

  it.each([
    ['a missing subject', { status: 'completed', questionnaire: 'urn:rapport:questionnaire:phq9' }, 'QuestionnaireResponse.subject'],
    ['a subject that is not a Patient', { status: 'completed', questionnaire: 'urn:rapport:questionnaire:phq9', subject: { reference: 'Group/1' } }, 'QuestionnaireResponse.subject.reference'],
    ['a status other than completed', { status: 'in-progress', questionnaire: 'urn:rapport:questionnaire:phq9', subject: { reference: 'Patient/1' } }, 'QuestionnaireResponse.status'],
    ['a foreign questionnaire', { status: 'completed', questionnaire: 'http://example.org/Questionnaire/x|1', subject: { reference: 'Patient/1' } }, 'QuestionnaireResponse.questionnaire'],
    ['an item without linkId', { status: 'completed', questionnaire: 'urn:rapport:questionnaire:phq9', subject: { reference: 'Patient/1' }, item: [{ answer: [] }] }, 'QuestionnaireResponse.item[0].linkId'],
    ['a malformed authored date', { status: 'completed', questionnaire: 'urn:rapport:questionnaire:phq9', subject: { reference: 'Patient/1' }, authored: 'yesterday' }, 'QuestionnaireResponse.authored'],
  ])('parse refuses %s, naming the path', (_name, body, expression) => {
    const result = parseQuestionnaireResponse({ resourceType: 'QuestionnaireResponse', ...body });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]!.expression).toBe(expression);
  });
});

describe('toObservations', () => {
  it('gives the PHQ-9 total with its LOINC code, band and provenance', () => {
    const stored = storedResponse(phq9, { phq9_1: 1, phq9_2: 2, phq9_3: 3, phq9_4: 0, phq9_5: 1, phq9_6: 2, phq9_7: 0, phq9_8: 1, phq9_9: 1 });
    const [total, ...rest] = toObservations(stored, phq9);
    expect(rest).toEqual([]);
    expect(fhirSchemaErrors(total)).toEqual([]);
    expect(total!.code.coding![0]).toEqual({ system: 'http://loinc.org', code: '44261-6', display: 'PHQ-9 total score' });
    expect(total!.valueQuantity).toEqual({ value: 11, unit: '{score}', system: 'http://unitsofmeasure.org', code: '{score}' });
    expect(total!.interpretation).toEqual([{ text: 'Moderate' }]);
    expect(total!.derivedFrom).toEqual([{ reference: `QuestionnaireResponse/${RESPONSE}` }]);
  });

  it.each(builtInDefinitions.filter((d) => getInstrument(d.id).scoring.subscales.length > 0).map((d) => [d.id]))('gives %s one Observation per subscale, all valid', (id) => {
    const definition = getInstrument(id);
    const observations = toObservations(storedResponse(definition, lowestAnswers(definition)), definition);
    expect(observations).toHaveLength(1 + definition.scoring.subscales.length);
    for (const o of observations) expect(fhirSchemaErrors(o)).toEqual([]);
  });
});

describe('toPatient and bundle', () => {
  const client = { id: CLIENT, givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.org', mobile: '+447700900123', dateOfBirth: '1990-12-10', language: 'en', status: 'active' as const };

  it('leaves contacts out unless asked for', () => {
    expect(toPatient(client).telecom).toBeUndefined();
    expect(toPatient(client, { includeTelecom: true }).telecom).toEqual([
      { system: 'email', value: 'ada@example.org' },
      { system: 'phone', use: 'mobile', value: '+447700900123' },
    ]);
    expect(fhirSchemaErrors(toPatient(client, { includeTelecom: true }))).toEqual([]);
  });

  it('builds searchset and collection bundles and OperationOutcomes that validate', () => {
    const stored = storedResponse(phq9, { phq9_1: 1 });
    const resources = [toPatient(client), toQuestionnaireResponse(stored, phq9), ...toObservations(stored, phq9)];
    const collection = bundle('collection', resources, { baseUrl: 'https://clinic.example/fhir/R4', timestamp: new Date('2026-11-25T00:00:00Z') });
    expect(fhirSchemaErrors(collection)).toEqual([]);
    expect(collection.entry![0]!.fullUrl).toBe(`https://clinic.example/fhir/R4/Patient/${CLIENT}`);
    const searchset = bundle('searchset', resources, { selfUrl: 'https://clinic.example/fhir/R4/Observation?patient=x' });
    expect(fhirSchemaErrors(searchset)).toEqual([]);
    expect(searchset.link).toEqual([{ relation: 'self', url: 'https://clinic.example/fhir/R4/Observation?patient=x' }]);
    const page = bundle('searchset', resources.slice(0, 1), {
      total: 7,
      selfUrl: 'https://clinic.example/fhir/R4/Observation?patient=x&_count=1',
      nextUrl: 'https://clinic.example/fhir/R4/Observation?patient=x&_count=1&_cursor=abc',
    });
    expect(fhirSchemaErrors(page)).toEqual([]);
    expect(page.total).toBe(7);
    expect(page.link!.map((l) => l.relation)).toEqual(['self', 'next']);
    expect(fhirSchemaErrors(operationOutcome([{ code: 'invalid', diagnostics: 'bad', expression: 'QuestionnaireResponse.item[0]' }]))).toEqual([]);
  });

  it('notices an invalid resource (the validator is not a no-op)', () => {
    expect(fhirSchemaErrors({ resourceType: 'Patient', id: 'x', gender: 'robot' })).not.toEqual([]);
    expect(fhirSchemaErrors({ resourceType: 'Observation', id: 'x', status: 'final' })).not.toEqual([]);
    // Explaining a failure compiles the schema again, narrowed to the type: seconds on a busy machine.
  }, 60_000);
});
