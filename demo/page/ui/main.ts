// The demo page: starts the training Worker, sends it the buttons and the configuration, and
// draws what it reports (progress, curves, the attention grid, the k-NN monitor). All compute
// happens in the Worker, so the page stays responsive. URL parameters, for scripts and tests:
//   ?backend=auto|webgpu|cpu    which backend (default auto: see worker/backend.ts)
//   ?pause-after=N              pause after N iterations (benchmarks, the browser test)
// window.miniDinoDemo holds what the page has received (for scripting and test/browser).

import type {
  AttentionGrid,
  BackendRequest,
  DinoConfig,
  EpochRecord,
  FromWorker,
  KnnReport,
  RunState,
  StepReport,
  ToWorker,
} from '../protocol.js';
import { type ChartSpec, drawChart } from './chart.js';
import { readKnobs, renderKnobs, resetKnobs, writeKnobs } from './knobs.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Everything received from the Worker, as plain data (read by test/browser/demo.browser.ts). */
interface DemoRecord {
  state: RunState;
  backend: { kind: string; description: string; reason: string } | null;
  config: DinoConfig | null;
  itersPerEpoch: number;
  steps: StepReport[];
  epochs: EpochRecord[];
  knn: KnnReport[];
  attention: { title: string; width: number; height: number } | null;
  checkpoints: string[];
  errors: string[];
}

const record: DemoRecord = {
  state: 'loading',
  backend: null,
  config: null,
  itersPerEpoch: 1,
  steps: [],
  epochs: [],
  knn: [],
  attention: null,
  checkpoints: [],
  errors: [],
};
(window as unknown as { miniDinoDemo: DemoRecord }).miniDinoDemo = record;

const params = new URLSearchParams(location.search);
const BACKENDS: readonly BackendRequest[] = ['auto', 'webgpu', 'cpu'];
const backendParam = params.get('backend') ?? 'auto';
const backendRequest = BACKENDS.find((b) => b === backendParam) ?? 'auto';
const pauseAfter = Math.max(0, Number(params.get('pause-after') ?? 0) || 0);

const form = $<HTMLFormElement>('knobs');
const buttons = {
  start: $<HTMLButtonElement>('start'),
  pause: $<HTMLButtonElement>('pause'),
  resume: $<HTMLButtonElement>('resume'),
  save: $<HTMLButtonElement>('save'),
  load: $<HTMLInputElement>('load'),
};

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);

// ---- charts

const fmt = (digits: number) => (y: number) => y.toFixed(digits);
const percent = (y: number) => `${(100 * y).toFixed(1)}%`;
const charts: Record<string, { canvas: HTMLCanvasElement; spec: ChartSpec }> = {
  loss: {
    canvas: $('chart-loss'),
    spec: { color: '#1a5fb4', xLabel: 'iteration', format: fmt(2) },
  },
  entropy: {
    canvas: $('chart-entropy'),
    spec: { color: '#c01c28', xLabel: 'iteration', format: fmt(2) },
  },
  kl: { canvas: $('chart-kl'), spec: { color: '#26a269', xLabel: 'iteration', format: fmt(3) } },
  knn: {
    canvas: $('chart-knn'),
    spec: {
      color: '#813d9c',
      xLabel: 'epoch',
      format: percent,
      dots: true,
      yRange: [0, 1],
      refs: [{ y: 0.1, label: 'chance (10 classes)' }],
    },
  },
};

function seriesOf(name: string): [number, number][] {
  if (name === 'knn')
    return record.epochs
      .filter((e) => e.knn_top1?.['20'] !== undefined)
      .map((e) => [e.epoch + 1, e.knn_top1!['20']]);
  const key = { loss: 'loss', entropy: 'teacherEntropy', kl: 'kl' }[name] as
    'loss' | 'teacherEntropy' | 'kl';
  return record.steps.map((s) => [s.iteration, s.metrics[key]]);
}

let drawPending = false;
/** Redraws the charts at the next frame (steps may arrive faster than frames). */
function drawCharts(): void {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    const c = record.config;
    const total = c ? c.epochs * record.itersPerEpoch : 1;
    for (const [name, { canvas, spec }] of Object.entries(charts)) {
      const refs =
        name === 'entropy' && c
          ? [{ y: Math.log(c.outDim), label: `ln K = ${Math.log(c.outDim).toFixed(2)} (uniform)` }]
          : spec.refs;
      drawChart(canvas, seriesOf(name), {
        ...spec,
        refs,
        xMax: name === 'knn' ? c?.epochs : total,
      });
    }
  });
}

// ---- progress

/** A duration for the ETA: "1 h 05 min", "40 min", "3 min 20 s", "45 s". */
function duration(s: number): string {
  const m = Math.round(s / 60);
  if (s >= 3600) return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
  if (s >= 600) return `${m} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.round(s)} s`;
}

function showStep(r: StepReport): void {
  $('stat-epoch').textContent = `${r.epoch + 1} / ${r.epochs}`;
  $('stat-step').textContent = `${r.step} / ${r.stepsPerEpoch}`;
  $('stat-speed').textContent = r.imgPerSec.toFixed(1);
  $('stat-eta').textContent = duration(r.etaSeconds);
  const p = $<HTMLProgressElement>('progress');
  p.max = r.totalIterations;
  p.value = r.iteration;
  $('val-loss').textContent = `Now ${r.metrics.loss.toFixed(3)} (iteration ${r.iteration}).`;
  $('val-entropy').textContent = `Now ${r.metrics.teacherEntropy.toFixed(3)}.`;
  $('val-kl').textContent = `Now ${r.metrics.kl.toFixed(4)}.`;
}

function showKnn(r: KnnReport): void {
  const top = Object.entries(r.top1)
    .map(([k, v]) => `k=${k} ${percent(v)}`)
    .join(', ');
  $('stat-knn').textContent = r.top1['20'] !== undefined ? percent(r.top1['20']) : top;
  $('val-knn').textContent = `${r.source}: ${top} (${r.protocol}).`;
}

// ---- attention

function showAttention(g: AttentionGrid): void {
  const canvas = $<HTMLCanvasElement>('attention-canvas');
  const labelW = 64;
  const labelH = 18;
  canvas.width = labelW + g.width;
  canvas.height = labelH + g.height;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.putImageData(new ImageData(new Uint8ClampedArray(g.rgba), g.width, g.height), labelW, labelH);
  ctx.fillStyle = '#1f1f1f';
  ctx.font = '12px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'center';
  g.labels.forEach((l, i) => ctx.fillText(l, labelW + (i + 0.5) * g.tile, labelH / 2, g.tile - 4));
  ctx.textAlign = 'left';
  for (let r = 0; r <= g.heads; r++)
    ctx.fillText(r === 0 ? 'image' : `head ${r}`, 4, labelH + (r + 0.5) * g.tile, labelW - 8);
  $('attention-caption').textContent =
    `${g.title}: the last layer's [CLS] attention of each of the ${g.heads} heads over one ` +
    `test image per class (top row: the image; bright: attended). Refreshed after every epoch.`;
  record.attention = { title: g.title, width: g.width, height: g.height };
}

// ---- state and buttons

function setState(state: RunState, message: string): void {
  record.state = state;
  document.body.dataset.state = state;
  $('status').textContent = message;
  const ready = state !== 'loading' && state !== 'failed';
  buttons.start.disabled = !ready || state === 'running';
  buttons.pause.disabled = state !== 'running';
  buttons.resume.disabled = state !== 'paused';
  buttons.save.disabled = !['running', 'paused', 'done', 'stopped'].includes(state);
  buttons.load.disabled = !ready || state === 'running';
  $('load-label').classList.toggle('disabled', buttons.load.disabled);
}

function showError(message: string): void {
  record.errors.push(message);
  const el = $('error');
  el.textContent = message;
  el.hidden = false;
}

function clearError(): void {
  $('error').hidden = true;
}

function download(name: string, bytes: ArrayBuffer): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'ready':
      record.backend = m.backend;
      $('backend').textContent = `Backend: ${m.backend.description}. Why: ${m.backend.reason}.`;
      $('dataset').textContent =
        `Data: ${m.dataset.name}, ${m.dataset.train.toLocaleString('en')} training images ` +
        `(labels unused), ${m.dataset.test.toLocaleString('en')} test images (k-NN, attention).`;
      return;
    case 'state':
      return setState(m.state, m.message);
    case 'started':
      // a new run, or one restored from a checkpoint (which holds no curves): start them afresh
      record.config = m.config;
      record.itersPerEpoch = m.itersPerEpoch;
      record.steps = [];
      record.epochs = [];
      writeKnobs(form, m.config);
      drawCharts();
      return;
    case 'step':
      record.steps.push(m.report);
      showStep(m.report);
      drawCharts();
      return;
    case 'epoch':
      record.epochs.push(m.record);
      drawCharts();
      return;
    case 'knn':
      record.knn.push(m.report);
      showKnn(m.report);
      return;
    case 'attention':
      return showAttention(m.grid);
    case 'checkpoint':
      record.checkpoints.push(m.name);
      download(m.name, m.bytes);
      $('status').textContent = `Saved ${m.name} (${(m.bytes.byteLength / 1e6).toFixed(1)} MB).`;
      return;
    case 'error':
      return showError(m.message);
  }
};
worker.onerror = (e) => {
  showError(`the training Worker failed: ${e.message}`);
  setState('failed', 'the training Worker failed');
};

buttons.start.onclick = () => {
  clearError();
  let config: DinoConfig;
  try {
    config = readKnobs(form);
  } catch (e) {
    showError((e as Error).message);
    return;
  }
  send({ type: 'start', config, pauseAfter });
};
buttons.pause.onclick = () => send({ type: 'pause' });
buttons.resume.onclick = () => send({ type: 'resume' });
buttons.save.onclick = () => send({ type: 'save' });
buttons.load.onchange = async () => {
  const file = buttons.load.files?.[0];
  if (!file) return;
  clearError();
  let knobs: DinoConfig;
  try {
    knobs = readKnobs(form);
  } catch (e) {
    showError((e as Error).message);
    return;
  }
  const bytes = await file.arrayBuffer();
  buttons.load.value = '';
  send({ type: 'load', name: file.name, bytes, config: knobs }, [bytes]);
};
$('reset').onclick = () => resetKnobs(form);
window.addEventListener('resize', drawCharts);
window.addEventListener('unhandledrejection', (e) => showError(`unexpected: ${String(e.reason)}`));

renderKnobs(form);
setState('loading', 'Loading the data and choosing a backend…');
if (backendRequest !== backendParam)
  showError(`?backend=${backendParam} is not a backend (auto, webgpu or cpu): using auto`);
drawCharts();
send({ type: 'init', dataUrl: new URL('data/', location.href).href, backend: backendRequest });
