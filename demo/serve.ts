// A static server for the built demo on 127.0.0.1: out/demo/ at /, and the package's embedded
// Fashion-MNIST (data/fashion-mnist/*.gz) at /data/. Every response carries the headers that make
// the page cross-origin isolated (COOP same-origin, COEP require-corp), which SharedArrayBuffer
// and WebAssembly threads need, and nothing is fetched from elsewhere.

import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { DEMO_OUT, ROOT } from './build.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.gz': 'application/octet-stream',
  '.png': 'image/png',
};

/** The headers of every response (cross-origin isolation; no caching of a dev build). */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

export interface DemoServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** `rel` inside `dir`, or null when it would leave it. */
function inside(dir: string, rel: string): string | null {
  const path = normalize(join(dir, rel));
  return path === dir || path.startsWith(dir + sep) ? path : null;
}

/** Serves `outDir` and the embedded data on 127.0.0.1:`port` (0: any free port). */
export function serveDemo(opts: { outDir?: string; port?: number } = {}): Promise<DemoServer> {
  const outDir = opts.outDir ?? DEMO_OUT;
  const dataDir = join(ROOT, 'data', 'fashion-mnist');
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname);
    const file = path.startsWith('/data/')
      ? inside(dataDir, path.slice('/data/'.length))
      : inside(outDir, path === '/' ? 'index.html' : path.slice(1));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...ISOLATION_HEADERS, allow: 'GET, HEAD' }).end();
      return;
    }
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...ISOLATION_HEADERS, 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      ...ISOLATION_HEADERS,
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : opts.port;
      resolve({
        url: `http://127.0.0.1:${port}/`,
        server,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
