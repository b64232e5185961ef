// The demo's training Worker: loads the embedded Fashion-MNIST, picks the backend (backend.ts),
// and runs the training loop (session.ts) one step at a time, so the page never freezes and
// pause, save and load are answered between steps. Every epoch: the log line, the k-NN monitor
// and the attention grid. Messages: protocol.ts.

import {
  type Backend,
  cpu,
  data as dataNs,
  dino,
  io,
  type nn,
} from '../../../src/browser/index.js';
import type { DatasetSplits } from '../../../src/data/image-dataset.js';
import { CHECKPOINT_FORMAT } from '../../../src/dino/checkpoint.js';
import { OFFICIAL_HEADS } from '../../../src/dino/checkpoint-vit.js';
import { attentionGrid, oneImagePerClass } from './attention-grid.js';
import { chooseBackend } from './backend.js';
import type {
  DinoConfig,
  EpochRecord,
  FromWorker,
  KnnReport,
  RunState,
  ToWorker,
} from '../protocol.js';
import { TrainingSession, readableBackbone } from './session.js';

/** The Worker's global scope (the Node typings of this file do not include the DOM's). */
declare const self: {
  onmessage: ((e: { data: ToWorker }) => void) | null;
  addEventListener(type: 'unhandledrejection', listener: (e: Event) => void): void;
  postMessage(message: FromWorker, transfer?: ArrayBuffer[]): void;
};

/** ImageNet statistics (main_dino.py Normalize) for 3-channel checkpoints from elsewhere. */
const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

let splits: Required<DatasetSplits> | null = null;
let backend: Backend = cpu;
let session: TrainingSession | null = null;
let gridImages: number[] = [];
let running: Promise<void> | null = null;
let pauseRequested = false;
let pauseAfter = 0;
/** Work to do between two steps (save, load), or at once when no step runs. */
const between: (() => Promise<void>)[] = [];

const post = (m: FromWorker, transfer?: ArrayBuffer[]) => self.postMessage(m, transfer);
const setState = (state: RunState, message: string) => post({ type: 'state', state, message });
const fail = (e: unknown) =>
  post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
/** Lets messages in: a step runs without yielding (the cpu backend computes synchronously). */
const yieldToMessages = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Messages are handled one after the other (a second Start waits for the first); Pause at once. */
let queue: Promise<void> = Promise.resolve();
self.onmessage = (e) => {
  if (e.data.type === 'pause') {
    if (running) pauseRequested = true;
    return;
  }
  queue = queue
    .then(() => handle(e.data))
    .catch((err) => {
      fail(err);
      if (!splits) setState('failed', 'the page could not start: see the message above');
      else if (!running)
        setState(session && !session.done ? 'paused' : 'ready', 'that failed: see the message');
    });
};
self.addEventListener('unhandledrejection', (e) => fail((e as { reason?: unknown }).reason));

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'init': {
      setState('loading', 'loading the embedded Fashion-MNIST and choosing a backend');
      const [chosen, loaded] = await Promise.all([
        chooseBackend(msg.backend, msg.threads),
        dataNs.fetchEmbeddedFashionMnist(msg.dataUrl),
      ]);
      backend = chosen.backend;
      splits = loaded;
      gridImages = oneImagePerClass(loaded.test);
      post({
        type: 'ready',
        backend: chosen.report,
        dataset: {
          name: 'Fashion-MNIST (embedded)',
          train: loaded.train.length,
          test: loaded.test.length,
        },
      });
      setState('ready', 'ready: press Start');
      return;
    }
    case 'start':
      await stop();
      session = new TrainingSession(msg.config, need(splits), backend);
      pauseAfter = msg.pauseAfter;
      post(started(session));
      await showAttention(session.run.teacher.backbone, session.norm, 'random init');
      running = loop();
      return;
    case 'pause': // handled as it arrives (onmessage)
      return;
    case 'resume':
      if (session && !running && !session.done) running = loop();
      return;
    case 'save':
      return later(async () => {
        const s = need(session, 'nothing to save yet: start a run or load a checkpoint');
        const bytes = await s.checkpoint();
        const name = `mini-dino-epoch${s.epoch}-it${s.iteration}.safetensors`;
        post({ type: 'checkpoint', name, bytes: bytes.buffer as ArrayBuffer }, [
          bytes.buffer as ArrayBuffer,
        ]);
      });
    case 'load':
      await stop();
      return later(() => load(msg.name, new Uint8Array(msg.bytes), msg.config));
  }
}

function need<T>(x: T | null, why = 'the data is still loading'): T {
  if (x === null) throw new Error(why);
  return x;
}

function started(s: TrainingSession): FromWorker {
  return {
    type: 'started',
    config: s.config,
    itersPerEpoch: s.itersPerEpoch,
    iteration: s.iteration,
  };
}

/** Runs `job` between two steps, or now when the loop is not running. */
async function later(job: () => Promise<void>): Promise<void> {
  if (running) between.push(job);
  else await job();
}

async function runPending(): Promise<void> {
  while (between.length > 0) await between.shift()!().catch(fail);
}

/** Pauses the loop (after its current step) and waits for it. */
async function stop(): Promise<void> {
  if (!running) return;
  pauseRequested = true;
  await running;
}

async function loop(): Promise<void> {
  const s = need(session);
  pauseRequested = false;
  setState('running', `training on ${backend.describe()}`);
  try {
    while (!s.done && !pauseRequested) {
      const { report, record } = await s.step();
      post({ type: 'step', report });
      if (record) await endOfEpoch(s, record);
      if (pauseAfter > 0 && s.iteration >= pauseAfter) pauseRequested = true;
      await runPending();
      await yieldToMessages();
    }
    if (s.done) setState('done', `finished: ${s.config.epochs} epochs`);
    else setState('paused', `paused after iteration ${s.iteration}: Resume continues`);
  } catch (e) {
    // e.g. a non-finite loss: no weight was changed, the run cannot go on; Save still works
    setState('stopped', `stopped at iteration ${s.iteration}: start a new run`);
    fail(e);
  } finally {
    running = null;
    pauseRequested = false;
  }
  await runPending();
}

async function endOfEpoch(s: TrainingSession, record: EpochRecord): Promise<void> {
  if (s.knnDue(record.epoch)) {
    setState('running', `epoch ${record.epoch + 1}: k-NN monitor`);
    const knn = await s.knnMonitor();
    record.knn_top1 = knn.result.top1;
    record.knn_protocol = knn.protocol;
    const report: KnnReport = {
      source: `epoch ${record.epoch + 1}`,
      top1: knn.result.top1,
      protocol: knn.protocol,
    };
    post({ type: 'knn', report });
  }
  post({ type: 'epoch', record });
  await showAttention(s.run.teacher.backbone, s.norm, `teacher after epoch ${record.epoch + 1}`);
  setState('running', `training on ${backend.describe()}`);
}

async function showAttention(
  model: nn.VisionTransformer,
  norm: { mean: readonly number[]; std: readonly number[] },
  title: string,
): Promise<void> {
  const grid = await attentionGrid(model, need(splits).test, gridImages, norm, title);
  post({ type: 'attention', grid }, [grid.rgba]);
}

/**
 * The attention heads of a ViT whose file does not say (no mini-dino config): none for an official
 * width (192, 384, 768: the official count), else the page's Heads knob, as `--num-heads` on the
 * command line.
 */
function headsFor(st: io.Safetensors, knobs: DinoConfig): number | undefined {
  const key = [...st.tensors.keys()].find((k) => k.endsWith('patch_embed.proj.weight'));
  const width = key ? st.tensors.get(key)!.shape[0] : undefined;
  return width !== undefined && OFFICIAL_HEADS[width] === undefined ? knobs.numHeads : undefined;
}

/** A checkpoint from a file: ours resumes training; any other ViT gets k-NN and attention. */
async function load(name: string, bytes: Uint8Array, knobs: DinoConfig): Promise<void> {
  const data = need(splits);
  setState('loading', `reading ${name}`);
  const st = io.parseSafetensors(bytes, name);
  let model: nn.VisionTransformer;
  let norm: { mean: number[]; std: number[] };
  let config: DinoConfig;
  let what: string;
  if (st.metadata.format === CHECKPOINT_FORMAT) {
    // onto cpu first: restoring reads the values synchronously, then copies them to `backend`
    const ck = dino.checkpointFromSafetensors(st, name, { backend: cpu });
    session = TrainingSession.restore(ck, data, backend);
    post(started(session));
    model = await readableBackbone(session.run.teacher.backbone);
    norm = session.norm;
    config = { ...session.config, knnSubset: knobs.knnSubset };
    what = `a mini-dino run at iteration ${session.iteration}`;
  } else {
    session = null;
    const numHeads = headsFor(st, knobs);
    const b = dino.backboneFromSafetensors(st, name, { backend: cpu, numHeads });
    model = b.model;
    norm = b.config.inChans === 3 ? IMAGENET : dataNs.normalizationOf(data.train);
    config = { ...knobs, globalCropSize: b.config.imgSize };
    const heads = `${b.config.numHeads} heads${numHeads ? ' from the Heads knob' : ''}`;
    what = `a ViT without a DINO run (${b.summary}; ${heads}): k-NN and attention only`;
  }
  setState('loading', `${name}, ${what}: k-NN on ${config.knnSubset} images per split`);
  const result = dino.backboneKnn(
    model,
    data.train,
    data.test,
    config,
    norm,
    cpu,
    config.knnSubset,
  );
  const n = (split: { length: number }) => Math.min(config.knnSubset, split.length);
  post({
    type: 'knn',
    report: {
      source: name,
      top1: result.top1,
      protocol: `subset: ${n(data.train)} train / ${n(data.test)} test`,
    },
  });
  await showAttention(model, norm, name);
  if (session && !session.done) setState('paused', `loaded ${name}, ${what}: Resume continues it`);
  else if (session) setState('done', `loaded ${name}, ${what}: a finished run`);
  else setState('ready', `loaded ${name}, ${what}`);
}
