import { lazy, Suspense, useId, useState, type ReactNode } from 'react';
import { useT } from '../i18n/i18n';
import type { ChartSpec } from './spec';

const UPlotCanvas = lazy(() => import('./uplot-canvas'));

/**
 * Every chart in the app: a heading, a one-sentence summary for everyone (screen readers read it
 * first), and either the canvas (hidden from assistive technology) or the table that is its
 * accessible equivalent. The toggle is a native button, so it works by keyboard.
 */
export function ChartFrame({ title, summary, spec, table, legend, headingLevel = 3 }: { title: string; summary: string; spec: ChartSpec; table: ReactNode; legend?: ReactNode; headingLevel?: 3 | 4 }) {
  return (
    <FigureWithTable title={title} summary={summary} table={table} headingLevel={headingLevel}>
      <Suspense fallback={<div className="chart-canvas chart-placeholder" aria-hidden="true" />}>
        <UPlotCanvas spec={spec} />
      </Suspense>
      {legend}
    </FigureWithTable>
  );
}

/**
 * The frame every chart shares (uPlot or not): heading, summary, and the drawing (`children`) or
 * its table behind a native toggle button.
 */
export function FigureWithTable({ title, summary, table, children, headingLevel = 3, className }: { title: string; summary: string; table: ReactNode; children: ReactNode; headingLevel?: 3 | 4; className?: string }) {
  const t = useT();
  const [view, setView] = useState<'chart' | 'table'>('chart');
  const id = useId();
  const H = headingLevel === 3 ? 'h3' : 'h4';
  return (
    <figure className={className ? `chart ${className}` : 'chart'} aria-labelledby={`${id}-title`} aria-describedby={`${id}-summary`}>
      <div className="chart-head">
        <H id={`${id}-title`}>{title}</H>
        <button type="button" className="small" aria-controls={`${id}-body`} onClick={() => setView(view === 'chart' ? 'table' : 'chart')}>
          {view === 'chart' ? t('chart.showTable', { title }) : t('chart.showChart', { title })}
        </button>
      </div>
      <p id={`${id}-summary`} className="chart-summary">
        {summary}
      </p>
      <div id={`${id}-body`}>{view === 'chart' ? children : <div className="table-scroll">{table}</div>}</div>
    </figure>
  );
}

/** A legend entry: a swatch (aria-hidden) and its text. */
export function LegendItem({ swatch, children }: { swatch: string; children: ReactNode }) {
  return (
    <li>
      <span className={`swatch ${swatch}`} aria-hidden="true" />
      {children}
    </li>
  );
}
