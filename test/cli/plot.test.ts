// training.svg: well-formed XML (a small tag-balance parser), the four panels, the ln K line at
// the right height, epochs without k-NN, a single epoch, an empty history, non-finite values,
// escaping, and niceTicks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { niceTicks, trainingSvg, writeTrainingSvg } from '../../src/cli/plot.js';
import type { EpochRecord } from '../../src/dino/epoch.js';

const record = (epoch: number, extra: Partial<EpochRecord> = {}): EpochRecord => ({
  epoch,
  train_loss: 10 - epoch,
  train_lr: 1e-3,
  train_wd: 0.04,
  train_momentum: 0.98,
  train_teacher_temp: 0.04,
  train_teacher_entropy: 3 - 0.2 * epoch,
  train_kl: 1 + 0.1 * epoch,
  seconds: 30,
  img_per_s: 300,
  ...extra,
});

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

/** A strict little XML parser: balanced tags, quoted attributes, only the five predefined entities.
 * */
function parseXml(s: string): El {
  const root: El = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const re =
    /<\?[^?]*\?>|<!--[\s\S]*?-->|<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < s.length && (m = re.exec(s)) !== null) {
    pos = re.lastIndex;
    if (m[5] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(m[5])) throw new Error(`bad entity in text: ${m[5]}`);
      stack[stack.length - 1].text += m[5];
      continue;
    }
    if (!m[2]) continue; // declaration or comment
    if (m[1]) {
      const top = stack.pop()!;
      if (top.name !== m[2]) throw new Error(`</${m[2]}> closes <${top.name}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of m[3].matchAll(/([\w:-]+)="([^"]*)"/g)) {
      if (a[1] in attrs) throw new Error(`duplicate attribute ${a[1]}`);
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(a[2]))
        throw new Error(`bad entity in attribute: ${a[2]}`);
      attrs[a[1]] = a[2];
    }
    const el: El = { name: m[2], attrs, children: [], text: '' };
    stack[stack.length - 1].children.push(el);
    if (!m[4]) stack.push(el);
  }
  if (pos !== s.length) throw new Error(`unparsable at ${pos}: ${s.slice(pos, pos + 40)}`);
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  return root;
}

const all = (el: El, name: string): El[] => [
  ...(el.name === name ? [el] : []),
  ...el.children.flatMap((c) => all(c, name)),
];
const texts = (el: El) => all(el, 'text').map((t) => t.text);
const panels = (svg: El) => all(svg, 'g');
const panelOf = (svg: El, title: RegExp) =>
  panels(svg).find((g) => texts(g).some((t) => title.test(t)))!;

test('a six-epoch run: valid SVG, four panels, points per epoch, k-NN only where evaluated', () => {
  const history = [0, 1, 2, 3, 4, 5].map((e) =>
    record(
      e,
      e % 2
        ? { knn_top1: { '10': 0.5 + e / 100, '20': 0.6 + e / 100 }, knn_protocol: 'subset' }
        : {},
    ),
  );
  const doc = parseXml(trainingSvg(history, { outDim: 1024 }));
  const svg = doc.children[0];
  assert.is(svg.name, 'svg');
  assert.is(svg.attrs.xmlns, 'http://www.w3.org/2000/svg');
  assert.is(panels(svg).length, 4);
  for (const t of [
    /^DINO loss$/,
    /^Teacher entropy h\(P_t\)$/,
    /^KL\(P_t ‖ P_s\)$/,
    /^k-NN top-1, k = 20$/,
  ])
    assert.ok(panelOf(svg, t), `panel ${t}`);
  assert.is(all(panelOf(svg, /^DINO loss$/), 'circle').length, 6);
  const knn = panelOf(svg, /^k-NN top-1/);
  assert.is(all(knn, 'circle').length, 3); // epochs 1, 3, 5
  assert.ok(texts(knn).includes('65.0%'), 'last k-NN@20 value labelled'); // epoch 5: 0.65
  assert.ok(texts(svg).some((t) => t.includes('6 epochs') && t.includes('k-NN@20 65.0%')));
  const entropy = panelOf(svg, /^Teacher entropy/);
  assert.ok(
    texts(entropy).some((t) =>
      t.includes('→ 0: one dimension dominates, → ln K: uniform collapse'),
    ),
  );
});

test('the ln K line is dashed and sits at ln K on the entropy axis', () => {
  for (const K of [1024, 65536, 3]) {
    const svg = parseXml(trainingSvg([record(0), record(1)], { outDim: K })).children[0];
    const entropy = panelOf(svg, /^Teacher entropy/);
    const ref = all(entropy, 'line').filter((l) => l.attrs['stroke-dasharray']);
    assert.is(ref.length, 1);
    assert.ok(texts(entropy).includes(`ln K = ${Math.log(K).toFixed(2)} (K = ${K})`));
    // map two tick labels to their y, then check where ln K lands
    const ticks = all(entropy, 'text').filter((t) => t.attrs.class === 'ytick');
    const [a, b] = [ticks[0], ticks[ticks.length - 1]];
    const va = Number(a.text),
      vb = Number(b.text);
    const ya = Number(a.attrs.y) - 4,
      yb = Number(b.attrs.y) - 4;
    const y = Number(ref[0].attrs.y1);
    const want = ya + ((Math.log(K) - va) / (vb - va)) * (yb - ya);
    assert.ok(Math.abs(y - want) < 0.2, `K = ${K}: ln K line at y ${y}, expected ${want}`);
  }
});

test('no k-NN, a single epoch, an empty history, non-finite values: still valid', () => {
  for (const h of [
    [record(0)],
    [],
    [record(0), record(1, { train_kl: NaN, train_loss: Infinity })],
  ]) {
    const s = trainingSvg(h, { outDim: 256 });
    const svg = parseXml(s).children[0];
    assert.is(panels(svg).length, 4);
    assert.ok(texts(panelOf(svg, /^k-NN top-1/)).includes('no k-NN evaluation in this run yet'));
    assert.not.match(s, /NaN|Infinity/);
  }
  const one = parseXml(trainingSvg([record(0)], { outDim: 256 })).children[0];
  assert.is(all(panelOf(one, /^DINO loss$/), 'circle').length, 1);
  assert.is(all(panelOf(one, /^DINO loss$/), 'polyline').length, 0);
});

test('k choice, full-test-set rings, per-step loss, escaping, errors', () => {
  const h = [
    record(0, { knn_top1: { '10': 0.4, '200': 0.5 }, knn_protocol: 'subset: 20 train / 20 test' }),
    record(1, { knn_top1: { '10': 0.45, '200': 0.55 }, knn_protocol: 'full: 100 train / 50 test' }),
  ];
  const svg = parseXml(
    trainingSvg(h, {
      outDim: 16,
      title: 'a <b> & "c"',
      stepLoss: Array.from({ length: 2000 }, (_, i) => 9 - i / 1000),
    }),
  ).children[0];
  const knn = panelOf(svg, /^k-NN top-1, k = 10$/); // no k = 20: the smallest k
  assert.ok(knn);
  assert.is(
    all(knn, 'circle').filter((c) => c.attrs.fill === '#fff').length,
    1,
    'the full evaluation is a ring',
  );
  assert.ok(texts(knn).includes('● subset: 20 train / 20 test   ○ full: 100 train / 50 test'));
  assert.ok(texts(svg).includes('a &lt;b&gt; &amp; &quot;c&quot;'));
  const steps = all(panelOf(svg, /^DINO loss$/), 'polyline')[0];
  const n = steps.attrs.points.split(' ').length;
  assert.ok(n >= 500 && n <= 700, `per-step loss binned to ${n} points`);
  assert.ok(panelOf(parseXml(trainingSvg(h, { outDim: 16, k: 200 })).children[0], /k = 200$/));
  assert.throws(() => trainingSvg(h, { outDim: 0 }), /outDim must be a positive integer, got 0/);
  assert.throws(
    () => trainingSvg(h, { outDim: 4, stepLoss: [1], stepsPerEpoch: -1 }),
    /stepsPerEpoch must be positive/,
  );
});

test('writeTrainingSvg writes the file, creating its folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plot-'));
  try {
    const path = join(dir, 'run', 'training.svg');
    writeTrainingSvg(path, [record(0)], { outDim: 64 });
    assert.is(readFileSync(path, 'utf8'), trainingSvg([record(0)], { outDim: 64 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('niceTicks: round steps covering the range, about the asked count', () => {
  assert.equal(niceTicks(0, 6.93, 5), [0, 2, 4, 6]);
  assert.equal(niceTicks(0.3, 1.05, 5), [0.4, 0.6, 0.8, 1]);
  fc.assert(
    fc.property(
      fc.double({ min: -1e4, max: 1e4, noNaN: true }),
      fc.double({ min: 1e-3, max: 1e4, noNaN: true }),
      fc.integer({ min: 1, max: 10 }),
      (lo, span, count) => {
        const t = niceTicks(lo, lo + span, count);
        assert.ok(t.length >= 2 && t.length <= 4 * count + 2, `${t.length} ticks for ${count}`);
        assert.ok(t.every((v) => v >= lo - span * 1e-6 && v <= lo + span + span * 1e-6));
        const step = t.length > 1 ? t[1] - t[0] : 0;
        if (t.length > 1)
          assert.match(Number(step.toPrecision(8)).toExponential(), /^(1|2|2\.5|5)e/);
      },
    ),
    { numRuns: 300 },
  );
});

test.run();
