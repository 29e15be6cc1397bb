import type { RunResult } from './imports.run';
import type { ImportKind, ImportMode, ImportReport } from './imports.schema';

/** The report sent to the browser: counts and the listed problems (row, column, code, a message without the cell's value). */
export function presentReport(input: { importId: string; kind: ImportKind; format: 'csv' | 'ical'; mode: ImportMode; dryRun: boolean; result: RunResult }): ImportReport {
  const { result } = input;
  return {
    importId: input.importId,
    kind: input.kind,
    format: input.format,
    mode: input.mode,
    dryRun: input.dryRun,
    rows: result.rows,
    valid: result.valid,
    invalid: result.invalid,
    duplicates: result.duplicates,
    imported: result.imported,
    errors: result.errors,
    moreErrors: result.moreErrors,
  };
}

/** The import's own audit event: ids and counts only (as the research export's event carries its filter). */
export function auditSummary(report: ImportReport): string {
  const { importId, format, mode, dryRun, rows, valid, invalid, duplicates, imported } = report;
  return JSON.stringify({ importId, format, mode, dryRun, rows, valid, invalid, duplicates, imported });
}
