/**
 * One CSV line (RFC 4180) from cell values. Written here rather than pulled from a library because
 * the rules are few and fixed: a cell is quoted when it holds a comma, a quote, CR or LF, or starts
 * or ends with a space, and quotes inside are doubled. A text cell that a spreadsheet would run as a
 * formula (starting with `=`, `+`, `-`, `@`, tab or CR, and not a number) gets a leading `'`
 * (OWASP "CSV injection"). Lines end with CRLF as the RFC says.
 */
export function csvLine(cells: readonly unknown[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !Number.isFinite(Number(text))) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
