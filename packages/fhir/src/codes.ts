/**
 * Code systems and identifiers Rapport uses in FHIR. Instrument ids are slugs (`[a-z][a-z0-9_]*`)
 * and FHIR ids may not hold `_`, so ids swap `_` for `-`; a slug never contains `-`, so the swap is
 * reversible.
 */

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
/** R4 core extension: the score of an answer option (used by other systems to score a form). */
export const ORDINAL_VALUE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/ordinalValue';
export const MIN_VALUE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/minValue';
export const MAX_VALUE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/maxValue';

/** The code system of an instrument's own codes: answer values, and `total` / subscale ids for scores. */
export const instrumentSystem = (instrumentId: string) => `urn:rapport:instrument:${instrumentId}`;

/** The canonical URL of an instrument's Questionnaire: the same on every Rapport server. */
export const questionnaireUrl = (instrumentId: string) => `urn:rapport:questionnaire:${instrumentId}`;

/** The FHIR id of an instrument's Questionnaire (`rapport_alliance` → `rapport-alliance`). */
export const fhirIdOf = (instrumentId: string) => instrumentId.replaceAll('_', '-');

/** The instrument id behind a Questionnaire id; the inverse of {@link fhirIdOf}. */
export const instrumentIdOf = (fhirId: string) => fhirId.replaceAll('-', '_');

/** Which canonicals besides `urn:rapport:questionnaire:<id>` name one of our instruments. */
export type CanonicalOptions = {
  /** This server's FHIR base: `<baseUrl>/Questionnaire/<fhir id>` names the instrument. */
  baseUrl?: string;
  /** LOINC panel code → instrument id: `http://loinc.org/q/<panel>` (how LOINC publishes its forms) names it. */
  loincPanels?: Readonly<Record<string, string>>;
};

/**
 * The instrument id a `QuestionnaireResponse.questionnaire` canonical names (`urn:rapport:questionnaire:phq9`,
 * optionally `|version`, this server's `<base>/Questionnaire/phq9`, or LOINC's `http://loinc.org/q/44249-1`),
 * or null when it names none of ours.
 */
export function instrumentIdFromCanonical(canonical: string, options: CanonicalOptions = {}): string | null {
  const url = canonical.split('|')[0]!;
  const urn = /^urn:rapport:questionnaire:([a-z][a-z0-9_]*)$/.exec(url);
  if (urn) return urn[1]!;
  if (options.baseUrl && url.startsWith(`${options.baseUrl}/Questionnaire/`)) {
    const id = url.slice(options.baseUrl.length + '/Questionnaire/'.length);
    return /^[a-z][a-z0-9-]*$/.test(id) ? instrumentIdOf(id) : null;
  }
  const loinc = /^http:\/\/loinc\.org\/q\/([0-9]+-[0-9])$/.exec(url);
  return loinc ? (options.loincPanels?.[loinc[1]!] ?? null) : null;
}

/** Text in `language` where present, else English, else the first language; undefined for no text. */
export function pickText(text: Readonly<Record<string, string>> | undefined, language: string): string | undefined {
  if (!text) return undefined;
  return text[language] ?? text.en ?? Object.values(text)[0];
}
