// Child process for test/io/atomic.test.ts (not a test file itself): saves a large safetensors
// file over and over, every element equal to the iteration number, printing "writing N" before
// and "saved N" after each save, until it is killed. With MINI_DINO_TEST_NONATOMIC=1 it writes in
// place instead, in 1 MB chunks 15 ms apart (a slow disk, so the kill lands mid-write), so the
// test can show that its check catches the torn file such a writer leaves.
import { closeSync, openSync, writeSync } from 'node:fs';
import { writeFileAtomicSync } from '../../src/io/atomic.js';
import { serializeSafetensors } from '../../src/io/safetensors.js';

const [path, elements] = [process.argv[2], Number(process.argv[3])];
const nonAtomic = process.env.MINI_DINO_TEST_NONATOMIC === '1';
const data = new Float32Array(elements);
const pause = new Int32Array(new SharedArrayBuffer(4));

function writeInPlace(bytes: Uint8Array): void {
  const fd = openSync(path, 'w'); // truncates: from here on the target is incomplete
  for (let off = 0; off < bytes.length; off += 1 << 20) {
    writeSync(fd, bytes, off, Math.min(1 << 20, bytes.length - off));
    Atomics.wait(pause, 0, 0, 15);
  }
  closeSync(fd);
}

for (let i = 1; ; i++) {
  data.fill(i);
  const bytes = serializeSafetensors({ w: { shape: [elements], data } }, { iteration: String(i) });
  process.stdout.write(`writing ${i}\n`);
  if (nonAtomic) writeInPlace(bytes);
  else writeFileAtomicSync(path, bytes); // what writeSafetensorsFileSync does after serializing
  process.stdout.write(`saved ${i}\n`);
}
