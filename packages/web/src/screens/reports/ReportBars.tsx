import type { ReactNode } from 'react';
import { FigureWithTable } from '../../charts/ChartFrame';

export type Bar = { key: string; label: string; /** 0–1, the bar's length. */ share: number | null; /** The figure in words, e.g. "24 of 52 (46.2 %)". */ text: string };

/**
 * A horizontal bar per figure, drawn with HTML and CSS rather than uPlot: uPlot plots series over a
 * numeric x axis, and a handful of labelled proportions needs no axis, scale or canvas. Real text
 * next to each bar stays translatable, zoomable and readable by screen readers (only the bar's
 * track is decorative), and no chart chunk has to load. Like every chart in the app, it has a one-sentence summary and a table view behind a native toggle button.
 */
export function ReportBars({ title, summary, bars, table }: { title: string; summary: string; bars: Bar[]; table: ReactNode }) {
  return (
    <FigureWithTable title={title} summary={summary} table={table} className="report-bars">
      <ul className="bar-list">
        {bars.map((b) => (
          <li key={b.key} className="bar-row">
            <span className="bar-label">{b.label}</span>
            <span className="bar-track" aria-hidden="true">
              <span className="bar-fill" style={{ width: `${Math.max(0, Math.min(1, b.share ?? 0)) * 100}%` }} />
            </span>
            <span className="bar-value">{b.text}</span>
          </li>
        ))}
      </ul>
    </FigureWithTable>
  );
}
