/**
 * The page the chart bench loads in Chromium: the web app's own chart components (three symptom
 * charts and the alliance panel of a client with 52 weekly sessions, or one empty chart), rendered
 * on demand. `window.bench(kind)` marks the data's arrival, renders, and resolves with the time to
 * the last `chart:drawn` mark (set by the uPlot draw hook).
 */
import { createRoot } from 'react-dom/client';
import type { AllianceMeasure, Trajectory } from '../../packages/web/src/api/types';
import { ChartFrame } from '../../packages/web/src/charts/ChartFrame';
import { I18nProvider } from '../../packages/web/src/i18n/i18n';
import { AllianceMeasureView } from '../../packages/web/src/screens/client/AlliancePanel';
import { SymptomChart } from '../../packages/web/src/screens/client/SymptomPanel';
import '../../packages/web/src/styles.css';

const SESSIONS = 52;
const start = Date.UTC(2025, 10, 3, 10);
const date = (i: number) => new Date(start + i * 7 * 86_400_000).toISOString();
let seed = 7;
const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);

function trajectory(instrumentId: string, max: number, first: number, bands: [string, number, number][], caseness: number): Trajectory {
  return {
    clientId: 'c',
    episodeId: 'e',
    instrumentId,
    range: { min: 0, max },
    direction: 'higher-is-worse',
    bands: bands.map(([label, min, hi]) => ({ id: label, label, min, max: hi })),
    caseness: { operator: '>=', value: caseness },
    expectedBand: null,
    rulesVersion: 'bench',
    points: Array.from({ length: SESSIONS }, (_, i) => {
      const score = Math.max(0, Math.min(max, Math.round(first * (1 - 0.5 * Math.log(i + 1) / Math.log(SESSIONS)) + (rnd() - 0.5) * 6)));
      const change = score - first;
      const expected = first * (1 - 0.45 * Math.log(i + 1) / Math.log(SESSIONS));
      return {
        sessionNumber: i + 1,
        responseId: `${instrumentId}-${i}`,
        appointmentId: `a-${i}`,
        date: date(i),
        score,
        band: { id: 'b', label: bands.find(([, lo, hi]) => score >= lo && score <= hi)?.[0] ?? '' },
        isCase: score >= caseness,
        reliableChange: i === 0 ? null : { direction: change <= -6 ? 'improved' : change >= 6 ? 'deteriorated' : 'unchanged', change, threshold: 6, method: 'published' },
        expected: { expected, upperBound: expected + 6, lowerBound: null, status: score > expected + 6 ? 'not_on_track' : 'on_track', source: 'default' },
      };
    }),
  };
}

const symptoms = [
  trajectory('phq9', 27, 18, [['Minimal', 0, 4], ['Mild', 5, 9], ['Moderate', 10, 14], ['Moderately severe', 15, 19], ['Severe', 20, 27]], 10),
  trajectory('gad7', 21, 15, [['Minimal', 0, 4], ['Mild', 5, 9], ['Moderate', 10, 14], ['Severe', 15, 21]], 8),
  trajectory('core10', 40, 22, [['Healthy', 0, 5], ['Low', 6, 10], ['Mild', 11, 14], ['Moderate', 15, 19], ['Moderately severe', 20, 24], ['Severe', 25, 40]], 11),
];

const alliance: AllianceMeasure = {
  clientInstrumentId: 'rapport_alliance',
  therapistInstrumentId: 'rapport_alliance_therapist',
  range: { min: 0, max: 40 },
  gapTrend: { label: 'stable' },
  ruptures: [],
  sessions: Array.from({ length: SESSIONS }, (_, i) => {
    const client = Math.round(55 + rnd() * 40);
    const therapist = Math.round(50 + rnd() * 45);
    const rupture = i > 3 && i % 9 === 0;
    return {
      sessionNumber: i + 1,
      appointmentId: `a-${i}`,
      date: date(i),
      clientHidden: i === SESSIONS - 1,
      client: i === SESSIONS - 1 ? null : { responseId: `c${i}`, score: client * 0.4, percent: client, submittedAt: date(i) },
      therapist: { responseId: `t${i}`, userId: 'u', score: therapist * 0.4, percent: therapist, submittedAt: date(i) },
      gap: {
        therapistMinusClientPercent: therapist - client,
        direction: therapist > client ? 'therapist_above' : 'client_above',
        therapistAboveAlert: therapist - client > 10,
        thresholdPercent: 10,
        items: ['goals', 'tasks', 'bond', 'overall'].map((k) => ({ clientItemId: `rapport_alliance_${k}`, therapistItemId: `rapport_alliance_therapist_${k}`, clientPercent: client, therapistPercent: therapist, gapPercent: therapist - client, direction: 'equal' })),
      },
      rupture: rupture ? { rupture: 'lenient', rule: 'history_sd', score: client, priorMean: null, lenientThreshold: null, strictThreshold: null, repair: { status: 'repaired', repairedAt: i + 2 } } : null,
    };
  }),
};

const root = createRoot(document.getElementById('root')!);
const wrap = (node: React.ReactNode) => (
  <I18nProvider locale="en" setLocale={() => {}}>
    {node}
  </I18nProvider>
);

function client() {
  return wrap(
    <>
      {symptoms.map((tr) => (
        <SymptomChart key={tr.instrumentId} trajectory={tr} />
      ))}
      <AllianceMeasureView clientId="c" measure={alliance} rateLinks={new Map()} />
    </>,
  );
}

function empty() {
  return wrap(<ChartFrame title="Empty" summary="No data." spec={{ id: 'empty', xLabel: 'Session', yLabel: 'Score', yMin: 0, yMax: 27, x: [], series: [{ label: 'Score', colour: '#1f4e79', values: [] }] }} table={<table />} />);
}

function drawnSince(t0: number): PerformanceEntry[] {
  return performance.getEntriesByName('chart:drawn').filter((e) => e.startTime >= t0);
}

declare global {
  interface Window {
    bench: (kind: 'client' | 'empty') => Promise<number>;
  }
}

window.bench = async (kind) => {
  root.render(null);
  await new Promise((r) => setTimeout(r, 50));
  performance.clearMarks();
  const arrived = performance.mark('data:arrived').startTime;
  const expected = kind === 'client' ? symptoms.length + 1 : 1;
  root.render(kind === 'client' ? client() : empty());
  return new Promise<number>((resolve, reject) => {
    const deadline = arrived + 10_000;
    const poll = () => {
      const drawn = drawnSince(arrived);
      // Every chart (by id) has drawn at least once: the time of the last one's first draw.
      const first = new Map<string, number>();
      for (const e of drawn) {
        const id = String((e as PerformanceMark).detail);
        if (!first.has(id)) first.set(id, e.startTime);
      }
      if (first.size >= expected) return resolve(Math.max(...first.values()) - arrived);
      if (performance.now() > deadline) return reject(new Error(`only ${drawn.length} of ${expected} charts drawn`));
      setTimeout(poll, 1);
    };
    poll();
  });
};
