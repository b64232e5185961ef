// `npm run demo`: builds the browser demo (demo/build.ts) and serves it on 127.0.0.1
// (demo/serve.ts), port 8080 or `npm run demo -- --port N`. Open the printed address in a browser
// with WebGPU or WebAssembly (any current Chrome, Edge, Firefox or Safari); Ctrl-C stops it.

import { buildDemo } from './build.js';
import { serveDemo } from './serve.js';

const i = process.argv.indexOf('--port');
const port = i >= 0 ? Number(process.argv[i + 1]) : 8080;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`demo: --port needs a port number (0 to 65535), got ${process.argv[i + 1]}`);
  process.exit(2);
}
const build = await buildDemo();
for (const [file, bytes] of Object.entries(build.files))
  console.log(`built ${file} (${(bytes / 1024).toFixed(0)} KiB)`);
const server = await serveDemo({ port });
console.log(`mini-dino demo: ${server.url}  (Ctrl-C stops)`);
process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
