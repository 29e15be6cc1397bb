import { describe, expect, it } from 'vitest';
import type { ContentPackInput } from './index';
import { getInstrument, InstrumentError, loadContentPack, localiseInstrument, renderableInstrument } from './index';

/** A pack in the shape a clinic would provide; the wording here is dummy text, not the licensed items. */
function buildWaiPack(overrides: Partial<ContentPackInput> = {}): ContentPackInput {
  const items: ContentPackInput['items'] = {};
  for (let number = 1; number <= 12; number++) {
    items[`wai_sr_${number}`] = {
      text: { en: `Licensed wording ${number}` },
      options: { '1': { en: 'Seldom' }, '2': { en: 'Sometimes' }, '3': { en: 'Fairly often' }, '4': { en: 'Very often' }, '5': { en: 'Always' } },
    };
  }
  return {
    format: 'rapport-content-pack',
    instrumentId: 'wai_sr',
    licence: { holder: 'Example Clinic', reference: 'SPR permission 2026-001' },
    languages: ['en'],
    stem: { en: 'Licensed stem' },
    items,
    ...overrides,
  };
}

function packError(input: unknown): InstrumentError {
  try {
    loadContentPack(input);
  } catch (error) {
    if (error instanceof InstrumentError) return error;
    throw error;
  }
  throw new Error('expected the pack to be refused');
}

describe('structure-only instruments', () => {
  it('report that they need licensed wording', () => {
    for (const id of ['wai_sr', 'wai_sr_t', 'arm5', 'srs', 'ors', 'audit', 'auditc', 'dast10', 'dass21', 'who5', 'wsas', 'k10', 'k6', 'isi', 'pss10', 'epds']) {
      expect(getInstrument(id).needsLicensedWording).toBe(true);
      expect(getInstrument(id).items.every((item) => item.text === undefined)).toBe(true);
    }
  });

  it('cannot be rendered without a pack', () => {
    expect(() => renderableInstrument('wai_sr')).toThrow(expect.objectContaining({ code: 'needs_licensed_wording', instrumentId: 'wai_sr' }));
  });

  it('render shipped instruments without a pack', () => {
    const phq9 = renderableInstrument('phq9');
    expect(phq9).toMatchObject({ wordingSource: 'built-in', languages: ['en'], needsLicensedWording: false });
  });
});

describe('loading a content pack', () => {
  it('accepts a pack that matches the structure and renders the instrument with its wording', () => {
    const pack = loadContentPack(buildWaiPack());
    const rendered = renderableInstrument('wai_sr', pack);
    expect(rendered).toMatchObject({ needsLicensedWording: false, wordingSource: 'content-pack', languages: ['en'] });
    expect(rendered.items[0]?.text).toEqual({ en: 'Licensed wording 1' });
    expect(rendered.contentPackLicence?.holder).toBe('Example Clinic');
    expect(getInstrument('wai_sr').items[0]?.text).toBeUndefined();
  });

  it('refuses a pack with an unknown item id, naming it', () => {
    const pack = buildWaiPack();
    pack.items['wai_sr_13'] = { text: { en: 'An extra item' } };
    const error = packError(pack);
    expect(error).toMatchObject({ code: 'invalid_content_pack', itemId: 'wai_sr_13' });
    expect(error.message).toBe('content pack for wai_sr: unknown item wai_sr_13');
  });

  it('refuses a pack that leaves an item without wording', () => {
    const pack = buildWaiPack();
    delete pack.items['wai_sr_7'];
    expect(packError(pack)).toMatchObject({ itemId: 'wai_sr_7', message: 'content pack for wai_sr: missing item wai_sr_7' });
  });

  it('refuses an option value the item does not have', () => {
    const pack = buildWaiPack();
    const item = pack.items['wai_sr_2'];
    if (item?.options) item.options['6'] = { en: 'Constantly' };
    expect(packError(pack).message).toContain('item wai_sr_2: unknown option value 6');
  });

  it('refuses a pack whose text lacks a declared language or uses an undeclared one', () => {
    expect(packError(buildWaiPack({ languages: ['en', 'fr'] })).message).toContain('item wai_sr_1 has no text in fr');
    const pack = buildWaiPack();
    const item = pack.items['wai_sr_3'];
    if (item) item.text = { en: 'Wording', de: 'Wortlaut' };
    expect(packError(pack).message).toContain('item wai_sr_3 has text in undeclared language de');
  });

  it('refuses a pack for an unknown instrument', () => {
    expect(() => loadContentPack(buildWaiPack({ instrumentId: 'wai_long' }))).toThrow(expect.objectContaining({ code: 'unknown_instrument' }));
  });

  it('refuses a pack that is not a content pack at all', () => {
    expect(packError({ instrumentId: 'wai_sr' }).code).toBe('invalid_content_pack');
  });

  it('refuses options on a visual-analogue item', () => {
    const items: ContentPackInput['items'] = {};
    for (let number = 1; number <= 4; number++) items[`srs_${number}`] = { text: { en: `Line ${number}` }, options: { '0': { en: 'Low' } } };
    const error = packError({ ...buildWaiPack(), instrumentId: 'srs', items });
    expect(error.message).toContain('item srs_1 is a visual-analogue line and has no options');
  });
});

describe('adding a language to a shipped instrument', () => {
  function buildPhq2FrenchPack(): ContentPackInput {
    const options = { '0': { fr: 'Jamais' }, '1': { fr: 'Plusieurs jours' }, '2': { fr: 'Plus de la moitié du temps' }, '3': { fr: 'Presque tous les jours' } };
    return {
      format: 'rapport-content-pack',
      instrumentId: 'phq2',
      licence: { holder: 'Example Clinic', reference: 'official translation' },
      languages: ['fr'],
      stem: { fr: 'Au cours des deux dernières semaines…' },
      items: { phq9_1: { text: { fr: 'Texte 1' }, options }, phq9_2: { text: { fr: 'Texte 2' }, options } },
    };
  }

  it('renders both the shipped and the pack language', () => {
    const rendered = renderableInstrument('phq2', loadContentPack(buildPhq2FrenchPack()));
    expect(rendered.languages).toEqual(['en', 'fr']);
    expect(localiseInstrument(rendered, 'fr').items[0]?.response).toMatchObject({ options: [{ value: 0, label: 'Jamais' }, {}, {}, {}] });
    expect(localiseInstrument(rendered, 'en').items[0]?.text).toBe('Little interest or pleasure in doing things');
  });

  it('refuses a pack that leaves an option without a label in its language', () => {
    const pack = buildPhq2FrenchPack();
    const item = pack.items['phq9_2'];
    if (item) item.options = { '0': { fr: 'Jamais' } };
    expect(packError(pack).message).toContain('item phq9_2: no label for option 1 in fr');
  });

  it('refuses a pack without the stem the instrument has', () => {
    const { stem: _stem, ...withoutStem } = buildPhq2FrenchPack();
    expect(packError(withoutStem).message).toContain('the instrument has a stem, so the pack needs one');
  });
});

describe('localising', () => {
  it('flattens an instrument to one language, with the not-validated warning', () => {
    const form = localiseInstrument(renderableInstrument('rapport_alliance'), 'fr');
    expect(form.warning).toBe('Instrument non validé — remplacez-le par une mesure validée et sous licence dès que possible.');
    expect(form.items).toHaveLength(4);
    expect(form.items[0]?.response).toMatchObject({ kind: 'options' });
  });

  it('refuses a language the instrument does not have (no home-made CORE-10 translations)', () => {
    expect(() => localiseInstrument(renderableInstrument('core10'), 'fr')).toThrow(/no wording in fr/);
  });

  it('carries the attribution with the form', () => {
    expect(localiseInstrument(renderableInstrument('core10'), 'en').attribution).toMatch(/CORE System Trust/);
  });
});
