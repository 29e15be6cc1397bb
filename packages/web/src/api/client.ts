import { errorText, localiseServerError } from '../i18n/server-errors';

/**
 * The typed fetch wrapper every screen uses: same-origin JSON with the session cookie, and one
 * error type that carries the server's `{ error: { code, message, field } }` so forms can put the
 * message next to the field it names. `message` is in the user's language (see
 * `src/i18n/server-errors.ts`); `serverMessage` keeps the server's own English sentence.
 */
export class ApiError extends Error {
  readonly serverMessage: string;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    serverMessage?: string,
  ) {
    super(message);
    this.name = 'ApiError';
    this.serverMessage = serverMessage ?? message;
  }
}

/** `status` 0 means the request never got an answer (offline, server down). */
export const NETWORK_ERROR = 'network_error';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export type Fetcher = typeof fetch;
let fetcher: Fetcher = (...args) => fetch(...args);
/** Tests swap the transport; the app never does. */
export function setFetcher(f: Fetcher): void {
  fetcher = f;
}

/** Listeners told when any request answers 401 (the session ended): the app goes back to sign-in. */
const unauthorisedListeners = new Set<() => void>();
export function onUnauthorised(listener: () => void): () => void {
  unauthorisedListeners.add(listener);
  return () => unauthorisedListeners.delete(listener);
}

export async function request<T>(method: Method, path: string, body?: unknown, init: { quiet401?: boolean } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetcher(path, {
      method,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, NETWORK_ERROR, errorText('network_error'));
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    const error = toApiError(response.status, parsed);
    if (response.status === 401 && !init.quiet401) unauthorisedListeners.forEach((l) => l());
    throw error;
  }
  return parsed as T;
}

/**
 * Maps any error body (or none) to an {@link ApiError} with its message in the user's language;
 * unknown shapes become a generic message. This is the one place server messages are translated.
 */
export function toApiError(status: number, body: unknown): ApiError {
  const e = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | undefined)?.error;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    return new ApiError(status, e.code, localiseServerError(e.code, e.message), typeof e.field === 'string' && e.field ? e.field : undefined, e.message);
  }
  return new ApiError(status, `http_${status}`, errorText(status >= 500 ? 'server_error' : 'refused'));
}

/**
 * The message for one form field, if the error names it. A field path such as `settings.colour`
 * matches the form field `colour` when the form passes `prefix: 'settings'`.
 */
export function fieldError(error: unknown, field: string, prefix?: string): string | undefined {
  if (!(error instanceof ApiError) || !error.field) return undefined;
  const full = prefix ? `${prefix}.${field}` : field;
  return error.field === full || error.field.startsWith(`${full}.`) ? error.message : undefined;
}

/** The message to show above a form: only when no field of the form claims it. */
export function formError(error: unknown, fields: readonly string[], prefix?: string): string | undefined {
  if (!error) return undefined;
  if (fields.some((f) => fieldError(error, f, prefix))) return undefined;
  return error instanceof Error ? error.message : String(error);
}

export const api = {
  get: <T>(path: string, opts?: { quiet401?: boolean }) => request<T>('GET', path, undefined, opts),
  post: <T>(path: string, body?: unknown, opts?: { quiet401?: boolean }) => request<T>('POST', path, body ?? {}, opts),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
};
