import type { AllianceMeasure } from '../api/types';
import { fillBetween, marker, type ChartSpec } from './spec';

/**
 * Client and therapist alliance ratings per session on one percent-of-range scale, the gap between
 * them shaded (orange where the therapist rated higher — the directional signal — blue where the
 * client did), ruptures marked ◆ and repairs ○. Sessions whose client score is hidden by the blind
 * rating have no client point at all.
 */
export function allianceSpec(m: AllianceMeasure, labels: { session: string; percent: string; client: string; therapist: string }): ChartSpec {
  const x = m.sessions.map((s) => s.sessionNumber);
  const client = m.sessions.map((s) => (s.clientHidden ? null : (s.client?.percent ?? null)));
  const therapist = m.sessions.map((s) => s.therapist?.percent ?? null);
  const above = x.map((_, i) => (client[i] != null && therapist[i] != null && therapist[i]! > client[i]! ? 1 : 0));
  return {
    id: `alliance-${m.clientInstrumentId}`,
    xLabel: labels.session,
    yLabel: labels.percent,
    yMin: 0,
    yMax: 100,
    x,
    series: [
      { label: labels.client, colour: '#1f4e79', values: client },
      { label: labels.therapist, colour: '#a04000', dash: [6, 3], values: therapist },
    ],
    underlay: (ctx, g) => {
      const lo = x.map((_, i) => (client[i] == null || therapist[i] == null ? null : Math.min(client[i]!, therapist[i]!)));
      const hi = x.map((_, i) => (client[i] == null || therapist[i] == null ? null : Math.max(client[i]!, therapist[i]!)));
      const pick = (want: number) => (arr: (number | null)[]) => arr.map((v, i) => (above[i] === want ? v : null));
      fillBetween(ctx, g, x, pick(1)(lo), pick(1)(hi), 'rgba(230, 126, 34, 0.28)');
      fillBetween(ctx, g, x, pick(0)(lo), pick(0)(hi), 'rgba(52, 152, 219, 0.2)');
    },
    overlay: (ctx, g) => {
      m.sessions.forEach((s, i) => {
        const c = client[i];
        if (c == null) return;
        if (s.rupture && s.rupture.rupture !== 'none') marker(ctx, g, s.sessionNumber, c, 'diamond', s.rupture.rupture === 'strict' ? '#c0392b' : '#e67e22');
        const repairedAt = s.rupture?.repair?.status === 'repaired' ? s.rupture.repair.repairedAt : null;
        if (repairedAt != null) {
          const j = x.indexOf(repairedAt);
          if (j >= 0 && client[j] != null) marker(ctx, g, repairedAt, client[j]!, 'ring', '#1e8449');
        }
      });
    },
  };
}
