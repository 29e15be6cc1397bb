import type { z } from 'zod';
import type { Tx } from '../../db/database';
import type { AuditEventInput } from '../../audit/audit.queries';
import type { AuditDescription } from '../../access/access';
import { MAX_LISTED_PROBLEMS, type ImportMode, type ImportProblem, type RawRow } from './imports.schema';
import type { ImportSource } from './imports.stream';

/** Rows validated, looked up and written together: one round of queries per batch, not per row. */
export const BATCH_SIZE = 500;

/** What every kind's handler gets: the import's transaction, whose clinic it is, and how to describe an audit event. */
export type ImportContext = {
  tx: Tx;
  orgId: string;
  importId: string;
  now: Date;
  clinicTimeZone: string;
  /** A per-row audit event by the importing admin (`action`, client and entity), in this request. */
  auditEvent: (e: AuditDescription) => AuditEventInput;
};

/** A row that passed its schema. */
export type CheckedRow<V> = { row: number; values: V; raw: RawRow };

/** A problem with a column; `column` is the logical (CSV) name, turned into the file's own by the runner. */
export type RowProblem = { column: string | null; code: string; text: string };

/** What a handler decides for one row: a problem, a duplicate (skipped, not an error), or something to write. */
export type RowOutcome<P> = { row: number } & ({ problem: RowProblem } | { duplicate: RowProblem } | { prepared: P });

/** One kind of import: its row schema, the look-ups that check references and duplicates, and the write. */
export type KindHandler<V, P> = {
  schema: z.ZodType<V>;
  prepare(context: ImportContext, rows: CheckedRow<V>[]): Promise<RowOutcome<P>[]>;
  /** Writes the prepared rows with their audit events; returns how many were written. */
  write(context: ImportContext, prepared: P[]): Promise<number>;
};

export type RunResult = {
  rows: number;
  valid: number;
  invalid: number;
  duplicates: number;
  imported: number;
  errors: ImportProblem[];
  moreErrors: number;
  /** The transaction must be rolled back: a dry run, or an all-or-nothing import with an invalid row. */
  rollback: boolean;
};

/** "Row 12, column date_of_birth: not a date (expected YYYY-MM-DD)." — never the cell's value. */
export function describeProblem(row: number, column: string | null, text: string, format: 'csv' | 'ical'): string {
  const where = format === 'ical' ? `Event ${row}` : `Row ${row}`;
  return `${where}${column ? `, ${format === 'ical' ? 'property' : 'column'} ${column}` : ''}: ${text}.`;
}

/**
 * Reads the source batch by batch: each row through the kind's schema, then the batch's look-ups
 * (clients, clinicians, instruments, duplicates), then the write, inside the caller's transaction.
 * Writing stops at the first invalid row of an all-or-nothing import (the caller rolls back), and
 * never starts in a dry run; counting and reporting go on to the end of the file either way.
 */
export async function runImport<V, P>(
  source: ImportSource,
  handler: KindHandler<V, P>,
  context: ImportContext,
  options: { mode: ImportMode; dryRun: boolean; onProgress?: (rows: number) => void },
): Promise<RunResult> {
  const result: RunResult = { rows: 0, valid: 0, invalid: 0, duplicates: 0, imported: 0, errors: [], moreErrors: 0, rollback: false };
  const list = (problems: ImportProblem[]) => {
    for (const p of problems.sort((a, b) => a.row - b.row)) {
      if (result.errors.length < MAX_LISTED_PROBLEMS) result.errors.push(p);
      else result.moreErrors += 1;
    }
  };
  const problemOf = (row: number, p: RowProblem): ImportProblem => {
    const column = p.column === null ? null : source.columnName(p.column);
    return { row, column, code: p.code, message: describeProblem(row, column, p.text, source.format) };
  };

  let batch: { row: number; values: RawRow; problems: ImportProblem[] }[] = [];
  const flush = async () => {
    const found: ImportProblem[] = [];
    const checked: CheckedRow<V>[] = [];
    for (const item of batch) {
      if (item.problems.length) {
        result.invalid += 1;
        found.push(...item.problems.map((p) => problemOf(item.row, { column: p.column, code: p.code, text: p.message })));
        continue;
      }
      // PostgreSQL text cannot hold U+0000 (the JSON body parser refuses it the same way).
      const nul = Object.keys(item.values).find((column) => item.values[column]?.includes('\u0000'));
      if (nul !== undefined) {
        result.invalid += 1;
        found.push(problemOf(item.row, { column: nul, code: 'invalid_character', text: 'contains the NUL character' }));
        continue;
      }
      const parsed = handler.schema.safeParse(item.values);
      if (parsed.success) {
        checked.push({ row: item.row, values: parsed.data, raw: item.values });
        continue;
      }
      result.invalid += 1;
      const seen = new Set<string>();
      // Left to right, as the columns stand in the file.
      const order = Object.keys(item.values);
      const issues = [...parsed.error.issues].sort((a, b) => order.indexOf(String(a.path[0])) - order.indexOf(String(b.path[0])));
      for (const issue of issues) {
        const column = String(issue.path[0] ?? '');
        if (seen.has(column)) continue;
        seen.add(column);
        const missing = item.values[column] === undefined;
        found.push(problemOf(item.row, { column: column || null, code: missing ? 'required' : 'invalid_value', text: missing ? 'required (the cell is empty)' : issue.message }));
      }
    }
    const outcomes = await handler.prepare(context, checked);
    const ready: P[] = [];
    for (const outcome of outcomes) {
      if ('problem' in outcome) {
        result.invalid += 1;
        found.push(problemOf(outcome.row, outcome.problem));
      } else if ('duplicate' in outcome) {
        result.duplicates += 1;
        found.push(problemOf(outcome.row, outcome.duplicate));
      } else {
        result.valid += 1;
        ready.push(outcome.prepared);
      }
    }
    list(found);
    const writing = !options.dryRun && !(options.mode === 'all-or-nothing' && result.invalid > 0);
    if (writing && ready.length) result.imported += await handler.write(context, ready);
    batch = [];
    options.onProgress?.(result.rows);
  };

  for await (const item of source.rows) {
    result.rows += 1;
    batch.push(item);
    if (batch.length >= BATCH_SIZE) await flush();
  }
  await flush();
  result.rollback = options.dryRun || (options.mode === 'all-or-nothing' && result.invalid > 0);
  if (result.rollback) result.imported = 0;
  return result;
}
