import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

// Vitest runs without globals, so testing-library cannot register its own cleanup.
afterEach(() => cleanup());

// uPlot throws under jsdom (no matchMedia, no canvas context): the charts' table views and summaries
// are what the component tests read; the canvas is drawn in Chromium by the e2e journeys and the bench.
vi.mock('uplot', () => ({
  default: class {
    static pxRatio = 1;
    destroy() {}
    setData() {}
    setSize() {}
  },
}));
vi.mock('uplot/dist/uPlot.min.css', () => ({}));
