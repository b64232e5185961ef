// A small line chart on a canvas (no library): one series of (x, y) points, optional dashed
// reference lines (e.g. ln K for the teacher entropy, chance for the k-NN), the y range and the
// last value as text. Drawn at the device's pixel ratio, sized by CSS.

export interface ChartSpec {
  /** Stroke colour of the series. */
  color: string;
  /** x axis label, e.g. "iteration" or "epoch". */
  xLabel: string;
  /** Format of y values in the labels. */
  format: (y: number) => string;
  /** Horizontal reference lines. */
  refs?: { y: number; label: string }[];
  /** Draw a dot per point (few points: the per-epoch k-NN). */
  dots?: boolean;
  /** Smallest x range shown (e.g. the run's iterations), so the line grows left to right. */
  xMax?: number;
  /** A fixed y range (default: the data's). */
  yRange?: [number, number];
}

const AXIS = '#5a5a5a';
const TEXT = '#1f1f1f';
const GRID = '#e4e4e4';

/** Draws `points` into `canvas` (its CSS size decides the drawing size). */
export function drawChart(canvas: HTMLCanvasElement, points: [number, number][], spec: ChartSpec) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(120, canvas.clientWidth);
  const h = Math.max(80, canvas.clientHeight);
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, w, h);
  ctx.font = '11px system-ui, sans-serif';
  const left = 44;
  const right = 8;
  const top = 8;
  const bottom = 22;
  const pw = w - left - right;
  const ph = h - top - bottom;

  const ys = [...points.map((p) => p[1]), ...(spec.refs ?? []).map((r) => r.y)];
  let y0 = ys.length ? Math.min(...ys) : 0;
  let y1 = ys.length ? Math.max(...ys) : 1;
  if (y1 - y0 < 1e-9) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const pad = (y1 - y0) * 0.06;
  y0 -= pad;
  y1 += pad;
  if (spec.yRange) [y0, y1] = spec.yRange;
  const x0 = points.length ? Math.min(points[0][0], 0) : 0;
  const x1 = Math.max(spec.xMax ?? 1, points.length ? points[points.length - 1][0] : 1);
  const X = (x: number) => left + ((x - x0) / (x1 - x0 || 1)) * pw;
  const Y = (y: number) => top + (1 - (y - y0) / (y1 - y0)) * ph;

  // frame, y grid at the bounds and the middle
  ctx.strokeStyle = GRID;
  ctx.lineWidth = 1;
  for (const f of [0, 0.5, 1]) {
    const y = top + f * ph;
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + pw, y);
    ctx.stroke();
  }
  ctx.strokeStyle = AXIS;
  ctx.strokeRect(left + 0.5, top + 0.5, pw, ph);
  ctx.fillStyle = TEXT;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const f of [0, 0.5, 1])
    ctx.fillText(spec.format(y1 - f * (y1 - y0)), left - 4, top + f * ph);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(`${Math.round(x0)}`, left, h - 6);
  ctx.textAlign = 'right';
  ctx.fillText(`${spec.xLabel} ${Math.round(x1)}`, left + pw, h - 6);

  for (const r of spec.refs ?? []) {
    ctx.strokeStyle = AXIS;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(left, Y(r.y));
    ctx.lineTo(left + pw, Y(r.y));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.textAlign = 'left';
    ctx.fillStyle = AXIS;
    ctx.fillText(r.label, left + 4, Y(r.y) - 3);
  }

  ctx.strokeStyle = spec.color;
  ctx.fillStyle = spec.color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(X(x), Y(y)) : ctx.lineTo(X(x), Y(y))));
  ctx.stroke();
  if (spec.dots || points.length === 1) {
    for (const [x, y] of points) {
      ctx.beginPath();
      ctx.arc(X(x), Y(y), 3, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}
