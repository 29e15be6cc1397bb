import type { Bundle, BundleEntry, FhirResource, OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';

export type BundleOptions = {
  /** Server base (`https://clinic.example/fhir/R4`): each entry gets `fullUrl` `<base>/<type>/<id>`. */
  baseUrl?: string;
  /** For a searchset: the number of matches (defaults to the number of entries; null leaves it out, as an operation's paged result may). */
  total?: number | null;
  /** For a searchset: the search's own address, as `link` `self`. */
  selfUrl?: string;
  /** For a searchset with more matches: the address of the following page, as `link` `next`. */
  nextUrl?: string;
  /** `Bundle.timestamp` (collections: when the export was made). */
  timestamp?: Date;
};

/** A Bundle of `resources`: a `searchset` (entries marked `match`) or a `collection` (an export). */
export function bundle(type: 'searchset' | 'collection', resources: readonly FhirResource[], options: BundleOptions = {}): Bundle {
  const entry = resources.map((resource): BundleEntry => ({
    ...(options.baseUrl && resource.id ? { fullUrl: `${options.baseUrl}/${resource.resourceType}/${resource.id}` } : {}),
    resource,
    ...(type === 'searchset' ? { search: { mode: 'match' as const } } : {}),
  }));
  const link = [
    ...(options.selfUrl ? [{ relation: 'self', url: options.selfUrl }] : []),
    ...(options.nextUrl ? [{ relation: 'next', url: options.nextUrl }] : []),
  ];
  return {
    resourceType: 'Bundle',
    type,
    ...(options.timestamp ? { timestamp: options.timestamp.toISOString() } : {}),
    ...(type === 'searchset' && options.total !== null ? { total: options.total ?? resources.length } : {}),
    ...(link.length > 0 ? { link } : {}),
    ...(entry.length > 0 ? { entry } : {}),
  };
}

/** An error as FHIR says it: `issue[].expression` names where the problem is. */
export function operationOutcome(
  issues: readonly { code: OperationOutcomeIssue['code']; diagnostics: string; expression?: string; severity?: OperationOutcomeIssue['severity'] }[],
): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({
      severity: i.severity ?? 'error',
      code: i.code,
      diagnostics: i.diagnostics,
      ...(i.expression ? { expression: [i.expression] } : {}),
    })),
  };
}
