import type { OperationOutcomeIssue } from 'fhir/r4';
import { AppError } from '../../errors';

/** One FHIR issue: what is wrong and where (`issue.expression`, a FHIRPath or the search parameter). */
export type FhirProblem = { message: string; expression?: string; code?: OperationOutcomeIssue['code'] };

/** An error answered as an OperationOutcome listing every problem (a resource can have several). */
export class FhirError extends AppError {
  constructor(
    status: number,
    readonly problems: readonly FhirProblem[],
  ) {
    super(status, 'fhir', problems[0]?.message ?? 'error', problems[0]?.expression);
  }
}

export const invalid = (message: string, expression?: string) => new FhirError(400, [{ message, expression, code: 'invalid' }]);
export const unknownParameter = (name: string) =>
  new FhirError(400, [{ message: `Unknown or unsupported search parameter: ${name}. See /fhir/R4/metadata for what is supported.`, expression: name, code: 'not-supported' }]);
export const fhirNotFound = (what: string, expression?: string) => new FhirError(404, [{ message: `No such ${what}.`, expression, code: 'not-found' }]);

/** The OperationOutcome issue code for an HTTP status of a plain `AppError`. */
export function issueCodeFor(status: number): OperationOutcomeIssue['code'] {
  if (status === 401) return 'login';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 413) return 'too-costly';
  if (status === 415) return 'not-supported';
  if (status === 429) return 'throttled';
  if (status < 500) return 'invalid';
  return 'exception';
}
