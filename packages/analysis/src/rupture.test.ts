import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectRuptures, hasUnrepairedRupture, rupturesOnly } from './rupture';

const zeroToForty = { min: 0, max: 40 };
const srsCutoff = { operator: '<' as const, value: 36 }; // facts.md A19, B4 [S src:openfit-srs]

describe('detectRuptures: facts.md §C vector S15', () => {
  const sessions = detectRuptures([38, 39, 38, 39, 33, 38], zeroToForty, { cutoff: srsCutoff });

  it('flags session index 4 (score 33) as a strict rupture with the published evidence', () => {
    const rupture = sessions[4];
    expect(rupture).toMatchObject({ index: 4, score: 33, rule: 'history_sd', rupture: 'strict', priorCount: 4, priorMean: 38.5, flooredSd: 2, belowCutoff: true });
    expect(rupture?.sd).toBeCloseTo(0.57735, 5);
    expect(rupture?.lenientThreshold).toBeCloseTo(36.5, 10);
    expect(rupture?.strictThreshold).toBeCloseTo(34.5, 10);
  });

  it('marks the rupture repaired at index 5, whose 38 is above 36.5', () => {
    expect(sessions[4]?.repair).toEqual({ status: 'repaired', repairedAt: 5, threshold: 36.5, window: 3 });
  });

  it('finds no other rupture in the series', () => {
    expect(rupturesOnly(sessions).map((session) => session.index)).toEqual([4]);
    expect(sessions.map((session) => session.rule)).toEqual(['no_history', 'previous_drop', 'previous_drop', 'history_sd', 'history_sd', 'history_sd']);
    expect(hasUnrepairedRupture(sessions)).toBe(false);
  });
});

describe('detectRuptures: boundaries', () => {
  // Prior 30, 30, 30: SD 0 floored to 2 (5 % of 40) → lenient 28, strict 26.
  it.each([
    [28.01, 'none'],
    [28, 'lenient'],
    [27.99, 'lenient'],
    [26.01, 'lenient'],
    [26, 'strict'],
    [10, 'strict'],
  ])('with three steady prior sessions at 30, a score of %f is %s', (score, expected) => {
    expect(detectRuptures([30, 30, 30, score], zeroToForty)[3]?.rupture).toBe(expected);
  });

  it('uses the sample SD when it is above the floor', () => {
    const last = detectRuptures([20, 30, 40, 20], zeroToForty)[3];
    expect(last).toMatchObject({ priorMean: 30, sd: 10, flooredSd: 10, lenientThreshold: 20, strictThreshold: 10, rupture: 'lenient' });
  });

  it.each([
    [[30, 26], 'lenient'],
    [[30, 26.01], 'none'],
    [[30, 35, 31], 'lenient'],
    [[30, 35, 31.01], 'none'],
    [[30, 20, 35], 'none'],
  ])('with one or two prior sessions, %o ends in %s (a drop of at least 4 points = 10 % of 0–40 from the previous session)', (series, expected) => {
    const last = detectRuptures(series, zeroToForty).at(-1);
    expect(last?.rule).toBe('previous_drop');
    expect(last?.rupture).toBe(expected);
    expect(last?.strictThreshold).toBeNull();
  });

  it('never judges the first session a rupture', () => {
    expect(detectRuptures([0], zeroToForty)[0]).toMatchObject({ rule: 'no_history', rupture: 'none', lenientThreshold: null, repair: null });
  });

  it('works on an item scale with its own range (0–10) and on the 1–7 ARM-5 mean', () => {
    expect(detectRuptures([8, 8, 8, 7.5], { min: 0, max: 10 })[3]).toMatchObject({ flooredSd: 0.5, lenientThreshold: 7.5, rupture: 'lenient' });
    expect(detectRuptures([6, 6, 6, 5.4], { min: 1, max: 7 })[3]).toMatchObject({ lenientThreshold: 5.7, strictThreshold: 5.4, rupture: 'strict' });
  });

  it.each([
    [35.99, true],
    [36, false],
  ])('reports a score of %f below the SRS cut-off of 36: %s', (score, expected) => {
    expect(detectRuptures([38, score], zeroToForty, { cutoff: srsCutoff })[1]?.belowCutoff).toBe(expected);
  });

  it('leaves belowCutoff null when the instrument has no cut-off', () => {
    expect(detectRuptures([38, 30], zeroToForty)[1]?.belowCutoff).toBeNull();
  });
});

describe('detectRuptures: repair', () => {
  // Prior 30, 30, 30 → lenient threshold 28; the rupture at index 3 needs a later score above 28.
  it.each([
    [[30, 30, 30, 20, 29], 'repaired', 4],
    [[30, 30, 30, 20, 25, 26, 28.5], 'repaired', 6],
    [[30, 30, 30, 20, 25, 26, 27], 'unrepaired', null],
    [[30, 30, 30, 20, 25, 26, 28], 'unrepaired', null],
    [[30, 30, 30, 20, 25, 26, 27, 35], 'unrepaired', null],
    [[30, 30, 30, 20, 25], 'pending', null],
    [[30, 30, 30, 20], 'pending', null],
  ])('after %o the rupture at index 3 is %s (at %s)', (series, status, repairedAt) => {
    expect(detectRuptures(series, zeroToForty)[3]?.repair).toEqual({ status, repairedAt, threshold: 28, window: 3 });
  });

  it('honours a configured repair window', () => {
    expect(detectRuptures([30, 30, 30, 20, 25], zeroToForty, { repairWindow: 1 })[3]?.repair?.status).toBe('unrepaired');
  });

  it('reports an unrepaired rupture for the dropout score', () => {
    expect(hasUnrepairedRupture(detectRuptures([30, 30, 30, 20, 25, 26, 27], zeroToForty))).toBe(true);
  });

  it.each([
    [[30, Number.NaN], zeroToForty, {}, /series\[1\]/],
    [[30], { min: 40, max: 0 }, {}, /scaleRange/],
    [[30], zeroToForty, { repairWindow: 0 }, /repairWindow/],
    [[30], zeroToForty, { sdFloorFraction: 0 }, /sdFloorFraction/],
  ])('refuses bad input (%o)', (series, range, options, message) => {
    expect(() => detectRuptures(series, range, options)).toThrow(message);
  });
});

describe('detectRuptures: properties', () => {
  const value = fc.double({ min: 0, max: 40, noNaN: true });
  const series = fc.array(value, { minLength: 1, maxLength: 15 });

  it('never finds a rupture in a constant series', () => {
    fc.assert(
      fc.property(value, fc.integer({ min: 1, max: 30 }), (constant, length) => {
        const sessions = detectRuptures(Array.from({ length }, () => constant), zeroToForty);
        expect(rupturesOnly(sessions)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('needs a drop: every rupture lies below the prior mean (3+ sessions) or the previous score (1–2)', () => {
    fc.assert(
      fc.property(series, (values) => {
        for (const session of rupturesOnly(detectRuptures(values, zeroToForty))) {
          if (session.rule === 'history_sd') expect(session.score).toBeLessThan(session.priorMean as number);
          else expect(session.dropFromPrevious as number).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never creates a rupture, or makes one stricter, by raising the last value', () => {
    const rank = { none: 0, lenient: 1, strict: 2 } as const;
    fc.assert(
      fc.property(series, fc.double({ min: 0, max: 40, noNaN: true }), (values, raise) => {
        const last = values.length - 1;
        const before = detectRuptures(values, zeroToForty)[last];
        const raised = [...values.slice(0, last), Math.min(40, (values[last] as number) + raise)];
        const after = detectRuptures(raised, zeroToForty)[last];
        expect(rank[after?.rupture ?? 'none']).toBeLessThanOrEqual(rank[before?.rupture ?? 'none']);
      }),
      { numRuns: 1000 },
    );
  });

  it('judges each session only by the sessions before it', () => {
    fc.assert(
      fc.property(series, series, (head, tail) => {
        const alone = detectRuptures(head, zeroToForty).map(({ repair: _repair, ...rest }) => rest);
        const extended = detectRuptures([...head, ...tail], zeroToForty).slice(0, head.length).map(({ repair: _repair, ...rest }) => rest);
        expect(extended).toEqual(alone);
      }),
      { numRuns: 1000 },
    );
  });
});
