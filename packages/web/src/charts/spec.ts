/** What a chart draws, independent of uPlot (so specs are built and tested without a canvas). */
export type Geometry = {
  left: number;
  top: number;
  width: number;
  height: number;
  x: (value: number) => number;
  y: (value: number) => number;
  pxRatio: number;
};

export type ChartSpec = {
  id: string;
  xLabel: string;
  yLabel: string;
  yMin: number;
  yMax: number;
  x: number[];
  series: { label: string; colour: string; dash?: number[]; values: (number | null)[] }[];
  /** Drawn under the lines (bands, shaded areas). */
  underlay?: (ctx: CanvasRenderingContext2D, g: Geometry) => void;
  /** Drawn over the lines (markers). */
  overlay?: (ctx: CanvasRenderingContext2D, g: Geometry) => void;
};

/** Severity band fills, light to dark, readable under a dark line (lowest band first). */
export const BAND_FILLS = ['#eef7ee', '#f7f7e6', '#fbf0e0', '#fbe6dc', '#f6dada', '#f0d0d8'];

export function fillRect(ctx: CanvasRenderingContext2D, g: Geometry, y0: number, y1: number, colour: string): void {
  const top = Math.min(g.y(y0), g.y(y1));
  const bottom = Math.max(g.y(y0), g.y(y1));
  ctx.save();
  ctx.fillStyle = colour;
  ctx.fillRect(g.left, top, g.width, bottom - top);
  ctx.restore();
}

export function horizontalLine(ctx: CanvasRenderingContext2D, g: Geometry, y: number, colour: string, dash: number[] = [6, 4]): void {
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.lineWidth = 1.5 * g.pxRatio;
  ctx.setLineDash(dash.map((d) => d * g.pxRatio));
  ctx.beginPath();
  ctx.moveTo(g.left, g.y(y));
  ctx.lineTo(g.left + g.width, g.y(y));
  ctx.stroke();
  ctx.restore();
}

/** Fills the area between two series point by point (skipping gaps). */
export function fillBetween(ctx: CanvasRenderingContext2D, g: Geometry, x: number[], lower: (number | null)[], upper: (number | null)[], colour: string): void {
  ctx.save();
  ctx.fillStyle = colour;
  for (let i = 0; i + 1 < x.length; i++) {
    const [l0, u0, l1, u1] = [lower[i], upper[i], lower[i + 1], upper[i + 1]];
    if (l0 == null || u0 == null || l1 == null || u1 == null) continue;
    ctx.beginPath();
    ctx.moveTo(g.x(x[i]!), g.y(l0));
    ctx.lineTo(g.x(x[i + 1]!), g.y(l1));
    ctx.lineTo(g.x(x[i + 1]!), g.y(u1));
    ctx.lineTo(g.x(x[i]!), g.y(u0));
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
}

/** A triangle marker (up or down) with an outline, so it is not told by colour alone. */
export function marker(ctx: CanvasRenderingContext2D, g: Geometry, x: number, y: number, shape: 'up' | 'down' | 'diamond' | 'ring', colour: string): void {
  const cx = g.x(x);
  const cy = g.y(y);
  const r = 7 * g.pxRatio;
  ctx.save();
  ctx.fillStyle = colour;
  ctx.strokeStyle = '#111';
  ctx.lineWidth = 1 * g.pxRatio;
  ctx.beginPath();
  if (shape === 'up') {
    ctx.moveTo(cx, cy - r - 10 * g.pxRatio);
    ctx.lineTo(cx - r, cy - 10 * g.pxRatio + r / 2);
    ctx.lineTo(cx + r, cy - 10 * g.pxRatio + r / 2);
  } else if (shape === 'down') {
    ctx.moveTo(cx, cy + r + 10 * g.pxRatio);
    ctx.lineTo(cx - r, cy + 10 * g.pxRatio - r / 2);
    ctx.lineTo(cx + r, cy + 10 * g.pxRatio - r / 2);
  } else if (shape === 'diamond') {
    ctx.moveTo(cx, cy - r);
    ctx.lineTo(cx + r, cy);
    ctx.lineTo(cx, cy + r);
    ctx.lineTo(cx - r, cy);
  } else {
    ctx.arc(cx, cy, r, 0, Math.PI * 2);
    ctx.closePath();
    ctx.lineWidth = 2.5 * g.pxRatio;
    ctx.strokeStyle = colour;
    ctx.stroke();
    ctx.restore();
    return;
  }
  ctx.closePath();
  ctx.fill();
  ctx.stroke();
  ctx.restore();
}
