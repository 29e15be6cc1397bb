import { describe, expect, it } from 'vitest';
import { dictionaries, LOCALES, translate } from './i18n';
import { en } from './en';

const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('interface text', () => {
  it.each(LOCALES)('%s has exactly the English keys', (locale) => {
    expect(Object.keys(dictionaries[locale]).sort()).toEqual(Object.keys(en).sort());
  });

  it.each(LOCALES)('%s has no empty text', (locale) => {
    expect(Object.entries(dictionaries[locale]).filter(([, v]) => !v.trim())).toEqual([]);
  });

  it.each(LOCALES)('%s uses the same {parameters} as English in every message', (locale) => {
    const mismatched = Object.keys(en).filter((k) => params(dictionaries[locale][k as keyof typeof en]).join() !== params(en[k as keyof typeof en]).join());
    expect(mismatched).toEqual([]);
  });

  it('French is a translation, not a copy of the English', () => {
    const same = Object.keys(en).filter((k) => dictionaries.fr[k as keyof typeof en] === en[k as keyof typeof en]);
    // Words that are the same in both languages.
    expect(same.sort()).toEqual(['actions.questionnaire', 'alerts.note', 'alerts.urgent', 'alliance.rupture.lenient', 'alliance.ruptureCol', 'alliance.trend.stable', 'audit.action', 'audit.actor.system', 'caseload.col.alliance', 'chart.date', 'chart.score', 'episode.programme', 'mfa.code', 'nav.programmes', 'nav.supervision', 'packs.licence', 'panel.actions', 'programmes.description', 'programmes.title', 'today.date', 'today.minutes', 'users.actions'].sort());
  });

  it('fills parameters and leaves unknown ones visible', () => {
    expect(translate('en', 'caseload.alertsUrgent', { count: 3, urgent: 1 })).toBe('3 open, 1 urgent');
    expect(translate('fr', 'team.remove', { name: 'Ada' })).toBe('Retirer Ada');
    expect(translate('en', 'team.remove')).toBe('Remove {name}');
  });
});
