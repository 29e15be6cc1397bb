import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartSpec } from './spec';

/**
 * The only module that imports uPlot: loaded lazily (its own chunk) by {@link ChartFrame}, so the
 * first screen's JavaScript does not carry it. Draws `spec` on a canvas; the canvas is
 * `aria-hidden` because the table view is its accessible equivalent. Each draw sets the performance
 * mark `chart:drawn` (detail: the chart's id) for the bench.
 */
export default function UPlotCanvas({ spec, width = 640, height = 240 }: { spec: ChartSpec; width?: number; height?: number }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const w = Math.max(280, Math.min(width, el.parentElement?.clientWidth || width));
    const options: uPlot.Options = {
      width: w,
      height,
      legend: { show: false },
      cursor: { show: true, drag: { x: false, y: false } },
      scales: { x: { time: false }, y: { auto: false, range: [spec.yMin, spec.yMax] } },
      axes: [
        { label: spec.xLabel, stroke: '#333', grid: { stroke: '#e5e5e5' }, incrs: [1, 2, 5, 10] },
        { label: spec.yLabel, stroke: '#333', grid: { stroke: '#e5e5e5' } },
      ],
      series: [
        {},
        ...spec.series.map((s) => ({
          label: s.label,
          stroke: s.colour,
          width: 2,
          dash: s.dash,
          spanGaps: false,
          points: { show: true, size: 7, stroke: s.colour, fill: '#fff' },
        })),
      ],
      hooks: {
        drawClear: [(u: uPlot) => spec.underlay?.(u.ctx, geometry(u))],
        draw: [
          (u: uPlot) => {
            spec.overlay?.(u.ctx, geometry(u));
            performance.mark('chart:drawn', { detail: spec.id });
          },
        ],
      },
    };
    const plot = new uPlot(options, [spec.x, ...spec.series.map((s) => s.values)] as uPlot.AlignedData, el);
    return () => plot.destroy();
  }, [spec, width, height]);
  return <div ref={host} className="chart-canvas" aria-hidden="true" />;
}

/** Plot-area coordinates in canvas pixels, for the drawing hooks of a {@link ChartSpec}. */
function geometry(u: uPlot) {
  const { left, top, width, height } = u.bbox;
  return {
    left,
    top,
    width,
    height,
    x: (v: number) => u.valToPos(v, 'x', true),
    y: (v: number) => u.valToPos(v, 'y', true),
    pxRatio: uPlot.pxRatio,
  };
}
