import { ApiError, NETWORK_ERROR, toApiError } from './client';
import { errorText } from '../i18n/server-errors';
import type { ImportKind, ImportMode, ImportReport } from './types';

/** How far an import has got: bytes sent, then rows the server has processed. */
export type ImportProgress = { phase: 'upload'; loaded: number; total: number } | { phase: 'rows'; rows: number };

type Line = { type: 'started' } | { type: 'progress'; rows: number } | { type: 'report'; report: ImportReport } | { type: 'error'; error: { code: string; message: string } };

/**
 * Uploads an import file with XMLHttpRequest, not fetch: only XHR reports upload progress. The server
 * is asked for its NDJSON answer (`Accept: application/x-ndjson`), so the rows it has processed are
 * reported while it works, then the report. Errors become the same {@link ApiError} as every call.
 */
export function uploadImport(kind: ImportKind, file: File, options: { mode: ImportMode; dryRun: boolean }, onProgress: (progress: ImportProgress) => void): Promise<ImportReport> {
  const isCalendar = file.type === 'text/calendar' || /\.(ics|ical|ifb)$/i.test(file.name);
  const query = new URLSearchParams({ mode: options.mode, dryRun: String(options.dryRun) });
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/imports/${kind}?${query}`);
    xhr.setRequestHeader('content-type', isCalendar ? 'text/calendar' : 'text/csv');
    xhr.setRequestHeader('accept', 'application/x-ndjson, application/json');
    let read = 0;
    const seen: Line[] = [];
    /** The complete lines that arrived since the last call (all of the rest when `final`). */
    const lines = (final: boolean): Line[] => {
      const text = xhr.responseText ?? '';
      const end = final ? text.length : text.lastIndexOf('\n') + 1;
      if (end <= read) return [];
      const chunk = text.slice(read, end);
      read = end;
      const fresh = chunk
        .split('\n')
        .filter((l) => l.trim())
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Line];
          } catch {
            return [];
          }
        });
      seen.push(...fresh);
      return fresh;
    };
    const progressOf = (items: Line[]) => {
      for (const item of items) if (item.type === 'progress') onProgress({ phase: 'rows', rows: item.rows });
    };
    xhr.upload.onprogress = (event) => onProgress({ phase: 'upload', loaded: event.loaded, total: event.lengthComputable ? event.total : file.size });
    xhr.onprogress = () => {
      if (xhr.status === 200) progressOf(lines(false));
    };
    xhr.onerror = () => reject(new ApiError(0, NETWORK_ERROR, errorText('network_error')));
    xhr.onload = () => {
      if (xhr.status !== 200) {
        let body: unknown;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = undefined;
        }
        return reject(toApiError(xhr.status, body));
      }
      progressOf(lines(true));
      const last = seen.findLast((l) => l.type === 'report' || l.type === 'error');
      if (last?.type === 'report') return resolve(last.report);
      reject(toApiError(500, last?.type === 'error' ? { error: last.error } : undefined));
    };
    xhr.send(file);
  });
}
