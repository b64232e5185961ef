// training.svg: small multiples of a DINO run per epoch (loss, teacher entropy h(P_t) against
// ln K, KL(P_t‖P_s), k-NN top-1), written as a dependency-free SVG string. Official counterpart:
// none (main_dino.py only writes log.txt); the entropy and KL panels are the collapse diagnostics
// of the paper's Fig. 7 (§5.3): h(P_t) → 0 when one dimension dominates, → ln K when the
// output is uniform, KL → 0 when the student no longer learns anything from the teacher.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EpochRecord } from '../dino/epoch.js';

export interface TrainingSvgOptions {
  /** K, the DINO head's output dimension (the dashed ln K line of the entropy panel). */
  outDim: number;
  title?: string;
  /** Loss of every training step, in order (drawn faintly behind the epoch means). */
  stepLoss?: readonly number[];
  /** Steps per epoch for `stepLoss` (default: its length / the number of epochs). */
  stepsPerEpoch?: number;
  /** Which k of knn_top1 to draw (default 20 when present, else the smallest available). */
  k?: number;
}

type Pt = [number, number];
interface Panel {
  title: string;
  note?: string;
  color: string;
  points: Pt[];
  yLabel: string;
  background?: Pt[];
  /** Points drawn as hollow rings instead (the k-NN on the full test set among per-epoch monitors).
   * */
  rings?: Pt[];
  /** A dashed reference line at this y with its label. */
  ref?: { y: number; label: string };
  yMin?: number;
  yMax?: number;
  /** Format of the last value's label. */
  fmt: (v: number) => string;
  empty?: string;
}

const W = 960;
const H = 640;
const PW = 440; // panel width and height, plot area inside margins
const PH = 250;
const GAP = 35; // between panel rows
const M = { left: 58, right: 18, top: 52, bottom: 40 };
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

/** The SVG text of the training plot; see the file header. */
export function trainingSvg(history: readonly EpochRecord[], opts: TrainingSvgOptions): string {
  if (!Number.isInteger(opts.outDim) || opts.outDim < 1)
    throw new RangeError(`trainingSvg: outDim must be a positive integer, got ${opts.outDim}`);
  // a record summarises its epoch: plotted at the epoch's end
  const x = (r: EpochRecord) => r.epoch + 1;
  const series = (f: (r: EpochRecord) => number | undefined): Pt[] =>
    history.flatMap((r) => {
      const v = f(r);
      return v !== undefined && Number.isFinite(v) ? [[x(r), v] as Pt] : [];
    });
  const lnK = Math.log(opts.outDim);
  const k = chooseK(history, opts.k);
  const knnRecords = k === null ? [] : history.filter((r) => r.knn_top1?.[k] !== undefined);
  const knnPt = (r: EpochRecord) => [x(r), 100 * r.knn_top1![k!]] as Pt;
  // the trainer writes 'subset: 2000 train / 2000 test' for the per-epoch monitor and 'full: …' at
  // the end
  const isFull = (r: EpochRecord) => (r.knn_protocol ?? '').startsWith('full');
  const full = knnRecords.filter(isFull);
  const monitor = knnRecords.filter((r) => !isFull(r));
  const describe = (rs: EpochRecord[], fallback: string) =>
    rs[rs.length - 1]?.knn_protocol ?? fallback;
  const knnNote =
    full.length && monitor.length
      ? `● ${describe(monitor, 'per-epoch monitor')}   ○ ${describe(full, 'full')}`
      : 'weighted k-NN, ' +
        (full.length ? describe(full, 'full test set') : describe(monitor, 'held-out images'));
  const panels: Panel[] = [
    {
      title: 'DINO loss',
      note: 'cross-entropy H(P_t, P_s), mean over the epoch',
      color: '#3b6fb6',
      yLabel: 'loss',
      points: series((r) => r.train_loss),
      background: stepSeries(opts, history.length),
      fmt: (v) => v.toFixed(3),
    },
    {
      title: 'Teacher entropy h(P_t)',
      note: '→ 0: one dimension dominates, → ln K: uniform collapse',
      color: '#d9822b',
      yLabel: 'nats',
      points: series((r) => r.train_teacher_entropy),
      ref: { y: lnK, label: `ln K = ${lnK.toFixed(2)} (K = ${opts.outDim})` },
      yMin: 0,
      yMax: lnK * 1.08,
      fmt: (v) => v.toFixed(2),
    },
    {
      title: 'KL(P_t ‖ P_s)',
      note: '→ 0: the student copies the teacher (collapse)',
      color: '#3a9a5b',
      yLabel: 'nats',
      points: series((r) => r.train_kl),
      yMin: 0,
      fmt: (v) => v.toFixed(3),
    },
    {
      title: `k-NN top-1${k === null ? '' : `, k = ${k}`}`,
      color: '#c0392b',
      yLabel: 'top-1 (%)',
      note: knnNote,
      points: (monitor.length ? monitor : full).map(knnPt),
      rings: monitor.length ? full.map(knnPt) : undefined,
      fmt: (v) => `${v.toFixed(1)}%`,
      empty: 'no k-NN evaluation in this run yet',
    },
  ];
  const xMax = Math.max(1, ...history.map(x));
  const last = history[history.length - 1];
  const subtitle = last
    ? `${history.length} epoch${history.length === 1 ? '' : 's'} · last ` +
      `loss ${Number.isFinite(last.train_loss) ? last.train_loss.toFixed(3) : 'not finite'}` +
      (knnRecords.length
        ? ` · k-NN@${k} ${(100 * knnRecords[knnRecords.length - 1].knn_top1![k!]).toFixed(1)}%`
        : '')
    : 'no epochs logged yet';
  const body = panels
    .map((p, i) => panelSvg(p, 20 + (i % 2) * (PW + 40), 70 + Math.floor(i / 2) * (PH + GAP), xMax))
    .join('\n');
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" ` +
      `viewBox="0 0 ${W} ${H}" ${FONT}>`,
    `<title>${esc(opts.title ?? 'mini-dino training')}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="20" y="32" font-size="20" font-weight="600" fill="#222">` +
      `${esc(opts.title ?? 'mini-dino training')}</text>`,
    `<text x="20" y="54" font-size="13" fill="#666">${esc(subtitle)}</text>`,
    body,
    `</svg>`,
    '',
  ].join('\n');
}

/** Writes trainingSvg(history, opts) to `path` (its folder is created). */
export function writeTrainingSvg(
  path: string,
  history: readonly EpochRecord[],
  opts: TrainingSvgOptions,
): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, trainingSvg(history, opts));
}

function chooseK(history: readonly EpochRecord[], wanted?: number): string | null {
  const ks = new Set<string>();
  for (const r of history) for (const kk of Object.keys(r.knn_top1 ?? {})) ks.add(kk);
  if (wanted !== undefined) return ks.has(String(wanted)) ? String(wanted) : null;
  if (ks.has('20')) return '20';
  const sorted = [...ks].sort((a, b) => Number(a) - Number(b));
  return sorted[0] ?? null;
}

/** Per-step losses at fractional epochs, averaged into at most ~600 points. */
function stepSeries(opts: TrainingSvgOptions, epochs: number): Pt[] | undefined {
  const s = opts.stepLoss;
  if (!s || s.length === 0 || epochs === 0) return undefined;
  const per = opts.stepsPerEpoch ?? s.length / epochs;
  if (!(per > 0)) throw new RangeError(`trainingSvg: stepsPerEpoch must be positive, got ${per}`);
  const bin = Math.max(1, Math.ceil(s.length / 600));
  const out: Pt[] = [];
  for (let i = 0; i < s.length; i += bin) {
    let sum = 0;
    let n = 0;
    for (let j = i; j < Math.min(i + bin, s.length); j++)
      if (Number.isFinite(s[j])) {
        sum += s[j];
        n++;
      }
    if (n > 0) out.push([Math.min(i + bin, s.length) / per, sum / n]);
  }
  return out;
}

function panelSvg(p: Panel, ox: number, oy: number, xMax: number): string {
  const iw = PW - M.left - M.right;
  const ih = PH - M.top - M.bottom;
  const ys = [...p.points, ...(p.background ?? []), ...(p.rings ?? [])].map((q) => q[1]);
  if (p.ref) ys.push(p.ref.y);
  let lo = p.yMin ?? (ys.length ? Math.min(...ys) : 0);
  let hi = Math.max(p.yMax ?? -Infinity, ys.length ? Math.max(...ys) : 1);
  if (!(hi > lo)) {
    const d = Math.abs(hi) * 0.1 || 1;
    lo -= d;
    hi += d;
  } else {
    const pad = (hi - lo) * 0.08;
    if (p.yMin === undefined) lo -= pad;
    if (p.yMax === undefined) hi += pad;
  }
  const yt = ys.length ? niceTicks(lo, hi, 5) : [];
  if (yt.length) {
    lo = Math.min(lo, yt[0]);
    hi = Math.max(hi, yt[yt.length - 1]);
  }
  const xt = niceTicks(0, xMax, Math.min(8, Math.max(1, Math.ceil(xMax)))).filter(
    (t) => Number.isInteger(t) || xMax < 2,
  );
  const sx = (v: number) => M.left + (v / xMax) * iw;
  const sy = (v: number) => M.top + ih - ((v - lo) / (hi - lo)) * ih;
  const out: string[] = [`<g transform="translate(${ox},${oy})">`];
  out.push(
    `<rect x="0" y="0" width="${PW}" height="${PH}" rx="8" fill="#fafafa" stroke="#e3e3e3"/>`,
  );
  out.push(
    `<text x="14" y="22" font-size="15" font-weight="600" fill="#222">${esc(p.title)}</text>`,
  );
  if (p.note) out.push(`<text x="14" y="39" font-size="11.5" fill="#777">${esc(p.note)}</text>`);
  for (const t of yt) {
    out.push(
      `<line x1="${M.left}" x2="${M.left + iw}" y1="${f1(sy(t))}" y2="${f1(sy(t))}" ` +
        `stroke="#e6e6e6"/>`,
    );
    out.push(
      `<text class="ytick" x="${M.left - 6}" y="${f1(sy(t) + 4)}" font-size="11" ` +
        `fill="#555" text-anchor="end">${esc(fmtNum(t))}</text>`,
    );
  }
  for (const t of xt) {
    out.push(
      `<line x1="${f1(sx(t))}" x2="${f1(sx(t))}" y1="${M.top + ih}" y2="${M.top + ih + 4}" ` +
        `stroke="#999"/>`,
    );
    out.push(
      `<text class="xtick" x="${f1(sx(t))}" y="${M.top + ih + 17}" font-size="11" ` +
        `fill="#555" text-anchor="middle">${esc(fmtNum(t))}</text>`,
    );
  }
  out.push(
    `<line x1="${M.left}" x2="${M.left + iw}" y1="${M.top + ih}" y2="${M.top + ih}" ` +
      `stroke="#999"/>`,
  );
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ih}" stroke="#999"/>`);
  out.push(
    `<text x="${M.left + iw / 2}" y="${PH - 6}" font-size="11.5" fill="#555" ` +
      `text-anchor="middle">epoch</text>`,
  );
  out.push(
    `<text transform="translate(14,${M.top + ih / 2}) rotate(-90)" font-size="11.5" ` +
      `fill="#555" text-anchor="middle">${esc(p.yLabel)}</text>`,
  );
  if (p.ref) {
    out.push(
      `<line class="ref" x1="${M.left}" x2="${M.left + iw}" y1="${f1(sy(p.ref.y))}" ` +
        `y2="${f1(sy(p.ref.y))}" stroke="#555" stroke-dasharray="6 4"/>`,
    );
    out.push(
      `<text x="${M.left + iw - 4}" y="${f1(sy(p.ref.y) - 5)}" font-size="11" ` +
        `fill="#555" text-anchor="end">${esc(p.ref.label)}</text>`,
    );
  }
  if (p.background && p.background.length > 1) {
    out.push(
      `<polyline points="${p.background.map(([a, b]) => `${f1(sx(a))},${f1(sy(b))}`).join(' ')}" ` +
        `fill="none" stroke="${p.color}" stroke-opacity="0.3" stroke-width="1"/>`,
    );
  }
  if (p.points.length === 0) {
    out.push(
      `<text x="${M.left + iw / 2}" y="${M.top + ih / 2}" font-size="13" ` +
        `fill="#999" text-anchor="middle">${esc(p.empty ?? 'no data')}</text>`,
    );
  } else {
    if (p.points.length > 1) {
      out.push(
        `<polyline points="${p.points.map(([a, b]) => `${f1(sx(a))},${f1(sy(b))}`).join(' ')}" ` +
          `fill="none" stroke="${p.color}" stroke-width="2.2" stroke-linejoin="round"/>`,
      );
    }
    if (p.points.length <= 60) {
      for (const [a, b] of p.points)
        out.push(
          `<circle cx="${f1(sx(a))}" cy="${f1(sy(b))}" r="3.2" fill="${p.color}"><title>epoch ` +
            `${a}: ${esc(p.fmt(b))}</title></circle>`,
        );
    }
    for (const [a, b] of p.rings ?? []) {
      out.push(
        `<circle cx="${f1(sx(a))}" cy="${f1(sy(b))}" r="5" fill="#fff" stroke="${p.color}" ` +
          `stroke-width="2"><title>epoch ${a}: ${esc(p.fmt(b))}</title></circle>`,
      );
    }
    const labelled = [...p.points, ...(p.rings ?? [])].sort((u, v) => u[0] - v[0]);
    const [la, lb] = labelled[labelled.length - 1];
    const anchor = sx(la) > M.left + iw - 60 ? 'end' : 'start';
    out.push(
      `<text class="value" x="${f1(sx(la) + (anchor === 'end' ? -7 : 7))}" ` +
        `y="${f1(sy(lb) - 9)}" font-size="12" font-weight="600" fill="${p.color}" ` +
        `text-anchor="${anchor}" stroke="#fafafa" stroke-width="3" paint-order="stroke">` +
        `${esc(p.fmt(lb))}</text>`,
    );
  }
  out.push('</g>');
  return out.join('\n');
}

/** About `count` round tick values inside [lo, hi] (steps 1, 2, 2.5, 5 × 10^n), at least two when
 * possible. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi))
    return Number.isFinite(lo) ? [lo] : [];
  let ticks: number[] = [];
  for (let c = Math.max(1, count); ticks.length < 2 && c <= 8 * Math.max(1, count); c *= 2) {
    const raw = (hi - lo) / c;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step =
      [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-12)) ?? 10 * mag;
    ticks = [];
    for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++)
      ticks.push(Number((i * step).toPrecision(12)));
  }
  return ticks;
}

function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

const f1 = (v: number) => (Math.round(v * 10) / 10).toString();

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
