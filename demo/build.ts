// Builds the browser demo into out/demo/ with esbuild: the page's script (page/ui/main.ts), the
// training Worker (page/worker/worker.ts, which bundles the engine through mini-dino/browser),
// index.html and style.css. Used by `npm run demo` (demo/run.ts) and `npm run test:browser`.
// esbuild is pinned exactly in package.json: the bundle is part of what the tests check.

import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

export const ROOT = join(import.meta.dirname, '..');
export const DEMO_OUT = join(ROOT, 'out', 'demo');
const PAGE = join(ROOT, 'demo', 'page');

/**
 * TEMPORARY, until the `wasm` backend lands: src/tensor/cpu/threads.ts imports Node's
 * worker_threads at the top (its threads are Node workers), so this stands in for that module in
 * browser bundles. It is never used there: the page runs the cpu backend on one thread
 * (MINI_DINO_THREADS=1 in page/worker/backend.ts), and its Worker throws if constructed.
 * Remove it (and its use below) once the engine no longer imports node:worker_threads.
 */
export const stubNodeWorkerThreads: esbuild.Plugin = {
  name: 'stub-node-worker-threads',
  setup(build) {
    build.onResolve({ filter: /^node:worker_threads$/ }, (args) => ({
      path: args.path,
      namespace: 'mini-dino-stub',
    }));
    build.onLoad({ filter: /.*/, namespace: 'mini-dino-stub' }, () => ({
      loader: 'js',
      contents:
        'export class Worker { constructor() { throw new Error("node:worker_threads is not ' +
        'available in a browser (mini-dino runs the cpu backend on one thread there)"); } }\n' +
        'export const parentPort = null;\nexport const workerData = undefined;\n',
    }));
  },
};

/** The esbuild options every browser bundle of mini-dino uses (the demo and the bundle test). */
export function browserBuildOptions(): esbuild.BuildOptions {
  return {
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome113', 'firefox141', 'safari26'],
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    plugins: [stubNodeWorkerThreads],
  };
}

export interface DemoBuild {
  outDir: string;
  /** Output files and their sizes in bytes. */
  files: Record<string, number>;
  metafile: esbuild.Metafile;
}

/** Builds the page into `outDir` (default out/demo/, emptied first). */
export async function buildDemo(outDir = DEMO_OUT): Promise<DemoBuild> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await esbuild.build({
    ...browserBuildOptions(),
    entryPoints: {
      main: join(PAGE, 'ui', 'main.ts'),
      worker: join(PAGE, 'worker', 'worker.ts'),
    },
    outdir: outDir,
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(PAGE, f), join(outDir, f));
  const files: Record<string, number> = {};
  for (const [path, out] of Object.entries(result.metafile!.outputs))
    if (!path.endsWith('.map')) files[path] = out.bytes;
  return { outDir, files, metafile: result.metafile! };
}
