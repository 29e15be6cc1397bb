import { describe, expect, it } from 'vitest';
import type { InstrumentDefinitionInput } from './index';
import { builtInDefinitions, createRegistry, defineInstrument, getInstrument, getParallelForm, InstrumentError, listInstruments, scoreResponse } from './index';

/** A clinic's own two-item questionnaire, as a clinic would write it. */
function buildCustom(overrides: Partial<InstrumentDefinitionInput> = {}): InstrumentDefinitionInput {
  const scale = { kind: 'options' as const, options: [0, 1, 2, 3].map((value) => ({ value, label: { en: String(value) } })) };
  return {
    id: 'clinic_sleep',
    version: '1.0.0',
    names: { short: 'Sleep check', full: 'Clinic sleep check' },
    construct: 'Sleep problems',
    respondent: 'client',
    timeFrame: 'past week',
    items: [
      { id: 'clinic_sleep_1', text: { en: 'I slept badly.' }, response: scale },
      { id: 'clinic_sleep_2', text: { en: 'I woke up rested.' }, response: scale, reverse: true },
    ],
    scoring: { method: 'sum', missing: { rule: 'none', source: 'clinic policy' } },
    range: { min: 0, max: 6 },
    direction: 'higher-is-worse',
    bands: [
      { id: 'low', label: 'Low', min: 0, max: 2 },
      { id: 'high', label: 'High', min: 3, max: 6 },
    ],
    licence: { status: 'clinic-owned', mayShipWording: true, source: 'Example Clinic' },
    citation: 'Example Clinic, 2026.',
    validation: { status: 'not-validated', warning: { en: 'Not a validated instrument.' } },
    ...overrides,
  };
}

function definitionError(input: unknown): InstrumentError {
  try {
    defineInstrument(input);
  } catch (error) {
    if (error instanceof InstrumentError) return error;
    throw error;
  }
  throw new Error('expected the definition to be refused');
}

describe('built-in instruments', () => {
  it('lists every instrument the issue asks for, each once', () => {
    const ids = listInstruments().map((summary) => summary.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['phq9', 'phq2', 'gad7', 'gad2', 'phq15', 'pcl5', 'core10', 'k10', 'k6', 'audit', 'auditc', 'dast10', 'dass21', 'who5', 'wsas', 'wai_sr', 'wai_sr_t', 'arm5', 'arm5_t', 'srs', 'ors', 'isi', 'pss10', 'epds', 'rapport_alliance', 'rapport_alliance_therapist']) {
      expect(ids).toContain(id);
    }
    expect(ids).not.toContain('cssrs');
    expect(ids).not.toContain('oq45');
  });

  it('ships wording only where the licence allows it', () => {
    for (const summary of listInstruments()) {
      const definition = getInstrument(summary.id);
      if (!definition.licence.mayShipWording) expect(definition.needsLicensedWording).toBe(true);
    }
    expect(listInstruments().filter((summary) => !summary.needsLicensedWording).map((summary) => summary.id)).toEqual([
      'phq9', 'phq2', 'gad7', 'gad2', 'phq15', 'pcl5', 'core10', 'rapport_alliance', 'rapport_alliance_therapist',
    ]);
  });

  it('keeps attribution with the instruments that require it', () => {
    expect(getInstrument('phq9').licence.attribution).toMatch(/Pfizer/);
    expect(getInstrument('core10').licence.attribution).toMatch(/CORE System Trust/);
    expect(getInstrument('k10').licence.copyright).toBe('© World Health Organization 2003');
  });

  it('returns frozen definitions', () => {
    expect(Object.isFrozen(getInstrument('phq9'))).toBe(true);
    expect(Object.isFrozen(getInstrument('phq9').items[0])).toBe(true);
  });

  it('labels the Rapport alliance check as not validated, CC BY 4.0, with no cut-off', () => {
    const check = getInstrument('rapport_alliance');
    expect(check.validation).toEqual({
      status: 'not-validated',
      warning: {
        en: 'Not a validated instrument — replace with a validated, licensed measure when you can.',
        fr: 'Instrument non validé — remplacez-le par une mesure validée et sous licence dès que possible.',
      },
    });
    expect(check.licence.status).toBe('cc-by-4.0');
    expect(check.caseness).toBeUndefined();
    expect(check.cutoffs).toEqual([]);
    expect(check.items.map((item) => Object.keys(item.text ?? {}))).toEqual([['en', 'fr'], ['en', 'fr'], ['en', 'fr'], ['en', 'fr']]);
  });
});

describe('parallel forms', () => {
  it('maps the Rapport alliance check client items to therapist items, both ways', () => {
    const client = getParallelForm('rapport_alliance');
    const therapist = getParallelForm('rapport_alliance_therapist');
    expect(client?.instrumentId).toBe('rapport_alliance_therapist');
    expect(client?.items['rapport_alliance_bond']).toBe('rapport_alliance_therapist_bond');
    expect(therapist?.items['rapport_alliance_therapist_bond']).toBe('rapport_alliance_bond');
    expect(getInstrument('rapport_alliance').respondent).toBe('client');
    expect(getInstrument('rapport_alliance_therapist').respondent).toBe('clinician');
  });

  it('pairs WAI-SR with WAI-SR-T and ARM-5 with its therapist form', () => {
    expect(getParallelForm('wai_sr')?.items['wai_sr_12']).toBe('wai_sr_t_12');
    expect(getParallelForm('arm5_t')?.instrumentId).toBe('arm5');
    expect(getParallelForm('phq9')).toBeNull();
  });

  it('refuses a registry where a parallel form is missing', () => {
    const withoutTherapist = builtInDefinitions.filter((definition) => definition.id !== 'wai_sr_t');
    expect(() => createRegistry(withoutTherapist)).toThrow(/parallel form wai_sr_t is not in the registry/);
  });
});

describe('registry options', () => {
  it('can apply bands to exact prorated totals for a whole registry', () => {
    const registry = createRegistry(builtInDefinitions, { bandRounding: 'none' });
    const answers = { phq9_1: 1, phq9_2: 1, phq9_3: 1, phq9_4: 1, phq9_5: 0, phq9_6: 0, phq9_7: 0, phq9_8: 0, phq9_9: null };
    expect(registry.scoreResponse('phq9', answers)).toMatchObject({ total: 4.5, band: { id: 'minimal' } });
    expect(scoreResponse('phq9', answers)).toMatchObject({ total: 4.5, band: { id: 'mild' } });
    expect(registry.isCase('phq9', 9.5)).toBe(false);
  });
});

describe('custom instruments', () => {
  it('validates a clinic’s own instrument and scores it in a registry beside the built-ins', () => {
    const custom = defineInstrument(buildCustom());
    const registry = createRegistry([...builtInDefinitions, custom]);
    expect(registry.scoreResponse('clinic_sleep', { clinic_sleep_1: 3, clinic_sleep_2: 0 })).toMatchObject({ total: 6, band: { id: 'high' } });
    expect(registry.scoreResponse('phq9', { phq9_1: 1 }).total).toBeNull();
    expect(() => scoreResponse('clinic_sleep', {})).toThrow(/unknown instrument clinic_sleep/);
  });

  it('refuses a declared range that the items cannot produce', () => {
    expect(definitionError(buildCustom({ range: { min: 0, max: 7 } })).message).toMatch(/range 0–7 does not match the items \(0–6\)/);
  });

  it('refuses option values that are not integers', () => {
    const input = buildCustom();
    const item = { ...input.items[0], id: 'clinic_sleep_3', response: { kind: 'options', options: [{ value: 0 }, { value: 0.5 }] } };
    expect(definitionError({ ...input, items: [...input.items, item] }).message).toMatch(/items\.2\.response\.options\.1\.value/);
  });

  it('refuses bands with a gap', () => {
    const error = definitionError(buildCustom({ bands: [{ id: 'low', label: 'Low', min: 0, max: 2 }, { id: 'high', label: 'High', min: 4, max: 6 }] }));
    expect(error.message).toMatch(/band high must start right after band low/);
  });

  it('refuses duplicate item ids and subscales naming unknown items', () => {
    const input = buildCustom();
    const error = definitionError({
      ...input,
      items: [...input.items, input.items[0]],
      scoring: { ...input.scoring, subscales: [{ id: 'part', label: 'Part', items: ['clinic_sleep_9'], range: { min: 0, max: 3 } }] },
    });
    expect(error.code).toBe('invalid_definition');
    expect(error.issues).toEqual(expect.arrayContaining(['duplicate item clinic_sleep_1', 'subscale part refers to unknown item clinic_sleep_9']));
  });

  it('refuses wording in a definition whose licence forbids shipping it', () => {
    const error = definitionError(buildCustom({ licence: { status: 'licence-required', mayShipWording: false, source: 'x' } }));
    expect(error.message).toMatch(/no item may carry text/);
  });

  it('refuses cut-offs on a not-validated instrument', () => {
    const error = definitionError(buildCustom({ caseness: { id: 'case', label: 'Case', operator: '>=', value: 3, source: 'none' } }));
    expect(error.message).toMatch(/not-validated instrument may not declare cut-offs/);
  });

  it('refuses a malformed definition with every problem listed', () => {
    const error = definitionError({ id: 'Bad Id', items: [] });
    expect(error.issues.length).toBeGreaterThan(3);
  });

  it('refuses two instruments with the same id in one registry', () => {
    expect(() => createRegistry([buildCustom(), buildCustom()])).toThrow(/duplicate instrument id/);
  });
});
