/**
 * Errors are values with a stable code. Every error that concerns one item names it, both in
 * `itemId` and in the message, so that a form can point at the offending question.
 */
export type InstrumentErrorCode =
  | 'unknown_instrument'
  | 'unknown_item'
  | 'invalid_answer'
  | 'invalid_definition'
  | 'invalid_content_pack'
  | 'needs_licensed_wording'
  | 'invalid_argument';

/** The only error type this package throws on purpose. `code` is stable; messages may change. */
export class InstrumentError extends Error {
  override readonly name = 'InstrumentError';
  readonly code: InstrumentErrorCode;
  readonly instrumentId: string | undefined;
  readonly itemId: string | undefined;
  /** Every problem found, for validation errors (a definition or a content pack); else empty. */
  readonly issues: readonly string[];

  constructor(
    code: InstrumentErrorCode,
    message: string,
    details: { instrumentId?: string; itemId?: string; issues?: readonly string[] } = {},
  ) {
    super(message);
    this.code = code;
    this.instrumentId = details.instrumentId;
    this.itemId = details.itemId;
    this.issues = details.issues ?? [];
  }
}

/** No instrument with this id in the registry. */
export function unknownInstrument(instrumentId: string): InstrumentError {
  return new InstrumentError('unknown_instrument', `unknown instrument ${instrumentId}`, { instrumentId });
}

/** An answer or content-pack key that is not an item of the instrument. */
export function unknownItem(instrumentId: string, itemId: string): InstrumentError {
  return new InstrumentError('unknown_item', `${instrumentId}: unknown item ${itemId}`, { instrumentId, itemId });
}

/** An answer that is not one of the item's option values (or not on its visual-analogue line). */
export function invalidAnswer(instrumentId: string, itemId: string, value: unknown): InstrumentError {
  const shown = typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
  return new InstrumentError('invalid_answer', `${instrumentId}: answer ${shown} is not a valid value for item ${itemId}`, {
    instrumentId,
    itemId,
  });
}

/** A definition that failed validation; `issues` lists every problem. */
export function invalidDefinition(instrumentId: string, issues: readonly string[]): InstrumentError {
  return new InstrumentError('invalid_definition', `invalid definition ${instrumentId}: ${issues.join('; ')}`, {
    instrumentId,
    issues,
  });
}

/** A content pack that does not match its instrument's structure; `itemId` names the first item at fault. */
export function invalidContentPack(instrumentId: string, issues: readonly string[], itemId?: string): InstrumentError {
  return new InstrumentError('invalid_content_pack', `content pack for ${instrumentId}: ${issues.join('; ')}`, {
    instrumentId,
    ...(itemId === undefined ? {} : { itemId }),
    issues,
  });
}

/** A structure-only instrument asked to render without a content pack. */
export function needsLicensedWording(instrumentId: string): InstrumentError {
  return new InstrumentError(
    'needs_licensed_wording',
    `${instrumentId} needs licensed wording: load the clinic's content pack before rendering it`,
    { instrumentId },
  );
}

/** A call with an argument the function cannot use (a non-finite score, an unknown language, …). */
export function invalidArgument(instrumentId: string, message: string): InstrumentError {
  return new InstrumentError('invalid_argument', `${instrumentId}: ${message}`, { instrumentId });
}
