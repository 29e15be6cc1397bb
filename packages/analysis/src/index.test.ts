import { describe, expect, it } from 'vitest';
import * as analysis from './index';

describe('the package door', () => {
  it('exports a semantic rules version for the server to store with every alert', () => {
    expect(analysis.RULES_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('walks one alliance case end to end: steady ratings, a strict rupture with a therapist-above gap, then repair', () => {
    const pair = analysis.alliancePair('rapport_alliance');
    const client = [36, 36, 37, 36, 26, 36];
    const therapist = [34, 35, 35, 35, 33, 35];
    const ruptures = analysis.detectRuptures(client, { min: 0, max: 40 });
    expect(analysis.rupturesOnly(ruptures).map((session) => [session.index, session.rupture, session.repair?.status])).toEqual([[4, 'strict', 'repaired']]);
    const gaps = client.map((score, i) => analysis.discrepancy({ total: score }, { total: therapist[i] as number }, pair));
    expect(gaps.map((gap) => gap.therapistAboveAlert.alert)).toEqual([false, false, false, false, true, false]);
    expect(analysis.lowAlliance(26, { instrumentId: 'rapport_alliance', sessionNumber: 5 }).rule).toBe('none');
  });
});
