import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Vitest runs without globals, so testing-library cannot register its own cleanup.
afterEach(() => cleanup());

// When charts arrive (uPlot, issue 5): uPlot throws under jsdom (no matchMedia, no canvas context),
// so mock it here: `vi.mock('uplot', () => ({ default: class { destroy() {} setData() {} setSize() {} } }))`.
