import type { InstrumentDefinitionInput } from '../definition.schema';

/** Input shapes for writing definitions as data. */
export type ItemInput = InstrumentDefinitionInput['items'][number];
export type ResponseInput = ItemInput['response'];

/** An option scale with values only: the labels come from a licensed content pack. */
export function unlabelledScale(min: number, max: number): ResponseInput {
  const options = [];
  for (let value = min; value <= max; value++) options.push({ value });
  return { kind: 'options', options };
}

/** Wordless items `${prefix}_1` … `${prefix}_${count}` for a structure-only instrument. */
export function placeholderItems(
  prefix: string,
  count: number,
  response: ResponseInput,
  overrides: Record<number, Partial<ItemInput>> = {},
): ItemInput[] {
  const items: ItemInput[] = [];
  for (let number = 1; number <= count; number++) {
    items.push({ id: `${prefix}_${number}`, response, ...overrides[number] });
  }
  return items;
}

/** Item ids `${prefix}_n` for the given item numbers, for subscales and rules. */
export function itemIds(prefix: string, numbers: readonly number[]): string[] {
  return numbers.map((number) => `${prefix}_${number}`);
}

/** Maps `${from}_n` → `${to}_n` for n = 1 … count, the usual shape of a parallel form. */
export function parallelItems(from: string, to: string, count: number): Record<string, string> {
  const items: Record<string, string> = {};
  for (let number = 1; number <= count; number++) items[`${from}_${number}`] = `${to}_${number}`;
  return items;
}
