import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/**
 * An error that is part of the API contract: a stable `code`, an HTTP status, a message a person
 * understands (never PHI), and optionally the field it is about. Thrown from the factories below
 * and turned into `{ error: { code, message, field? } }` in exactly one place ({@link handleError}).
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, field?: string, code = 'bad_request') =>
  new AppError(400, code, message, field);
export const unauthorized = (message = 'Please sign in.', code = 'unauthorized') => new AppError(401, code, message);
export const forbidden = (message = 'You are not allowed to do that.', code = 'forbidden') =>
  new AppError(403, code, message);
/** Also what another organisation's object looks like: it does not exist for you. */
export const notFound = (what: string) => new AppError(404, 'not_found', `No such ${what}.`);
export const conflict = (message: string, code = 'conflict', field?: string) => new AppError(409, code, message, field);
export const gone = (message: string, code = 'gone') => new AppError(410, code, message);
export const tooManyRequests = (message: string, retryAfterSeconds: number, code = 'too_many_requests') =>
  new AppError(429, code, message, undefined, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
export const unavailable = (message: string, code = 'unavailable') => new AppError(503, code, message);

export type ErrorBody = { error: { code: string; message: string; field?: string; requestId?: string } };

function body(code: string, message: string, field?: string, requestId?: string): ErrorBody {
  return { error: { code, message, ...(field ? { field } : {}), ...(requestId ? { requestId } : {}) } };
}

/** Fastify's own errors for malformed requests, mapped to stable codes. */
const fastifyCodes: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', message: 'Send the body as application/json.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body_too_large', message: 'The request body is too large.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', message: 'The request body is empty but JSON was declared.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json', message: 'The request body is not valid JSON.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'bad_request', message: 'The Content-Length header does not match the body.' },
  FST_ERR_CTP_INVALID_TYPE: { status: 400, code: 'bad_request', message: 'The Content-Type header is not valid.' },
  FST_ERR_BAD_URL: { status: 400, code: 'bad_url', message: 'The address is not valid (a malformed % escape?).' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'uri_too_long', message: 'A part of the address is too long.' },
};

type ValidationEntry = { keyword?: string; instancePath?: string; message?: string; params?: Record<string, unknown> };

/** Turns the first schema-validation problem into a field path and a sentence. */
function describeValidation(validation: unknown, context?: string): { field?: string; message: string } {
  const first = (Array.isArray(validation) ? validation[0] : undefined) as ValidationEntry | undefined;
  if (!first) return { field: context, message: 'The request is not valid.' };
  const path = (first.instancePath ?? '').split('/').filter(Boolean);
  const keys = Array.isArray(first.params?.keys) ? (first.params.keys as string[]) : [];
  if (first.keyword === 'unrecognized_keys' && keys[0]) path.push(keys[0]);
  const field = [context && context !== 'body' ? context : undefined, ...path].filter(Boolean).join('.') || undefined;
  let message = first.message ?? 'This value is not valid.';
  if (first.keyword === 'unrecognized_keys') message = `Unknown field${keys.length > 1 ? 's' : ''}: ${keys.join(', ')}.`;
  else if (first.keyword === 'invalid_type' && /received undefined/.test(message)) message = 'This field is required.';
  return { field, message };
}

/** The single place errors become HTTP responses. Unknown errors are a generic 500 with the request id. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof AppError) {
    if (error.headers) reply.headers(error.headers);
    return reply.status(error.status).send(body(error.code, error.message, error.field));
  }
  const fe = error as FastifyError & { validation?: unknown; validationContext?: string; cause?: unknown };
  if (fe.validation) {
    const { field, message } = describeValidation(fe.validation, fe.validationContext);
    return reply.status(400).send(body('validation_failed', message, field));
  }
  if (fe.code && fastifyCodes[fe.code]) {
    const known = fastifyCodes[fe.code]!;
    return reply.status(known.status).send(body(known.code, known.message));
  }
  if (fe.statusCode === 429) {
    return reply.status(429).send(body('too_many_requests', 'Too many requests. Please wait a moment and try again.'));
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return reply.status(fe.statusCode).send(body('bad_request', 'The request could not be understood.'));
  }
  request.log.error({ err: scrubError(error) }, 'unhandled error');
  return reply.status(500).send(body('internal', 'Something went wrong on our side. It has been logged.', undefined, request.id));
}

/**
 * Error details safe to log: type, code and stack frames, never the message (it may quote data).
 * Only the `at …` lines are kept: a multi-line message (a failed query's SQL and `params: …` with
 * names and emails in them) would otherwise leak into the stack's first lines.
 */
function scrubError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const e = error as Error & { code?: string };
  const frames = (e.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return { type: e.name, code: typeof e.code === 'string' ? e.code : undefined, stack: frames.slice(0, 7).join('\n') };
}
