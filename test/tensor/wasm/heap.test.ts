// The wasm backend's allocator (src/tensor/wasm/heap.ts): blocks are 64-byte aligned, at least
// as large as asked, never overlap; freed blocks are reused (a repeated pattern of allocations
// cuts no fresh memory); when the memory is full, adjacent free blocks merge to serve a larger
// request before the memory grows; and running out says how much was asked and what is in use.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { blockBytes, Heap } from '../../../src/tensor/wasm/heap.js';

const memory = (pages: number, max = 65536) =>
  new WebAssembly.Memory({ initial: pages, maximum: max, shared: true });

test('block sizes: 64-byte granules, then 8 classes per power of two (≤ 12.5% waste)', () => {
  assert.is(blockBytes(0), 64);
  assert.is(blockBytes(1), 64);
  assert.is(blockBytes(65), 128);
  assert.is(blockBytes(512), 512);
  assert.is(blockBytes(513), 576);
  for (let b = 1; b < 1e7; b = Math.ceil(b * 1.37)) {
    const s = blockBytes(b);
    assert.ok(s >= b && s % 64 === 0 && s <= Math.max(64, b * 1.125 + 64), `${b} -> ${s}`);
  }
});

test('random allocations and frees: aligned, large enough, disjoint', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 200000 })), { maxLength: 200 }),
      (ops) => {
        const h = new Heap(memory(1), 1024);
        const live: [number, number][] = [];
        for (const [free, bytes] of ops) {
          if (free && live.length > 0) {
            const [p] = live.splice(bytes % live.length, 1)[0];
            h.release(p);
          } else {
            const p = h.alloc(bytes);
            assert.is(p % 64, 0, 'aligned');
            assert.ok(p >= 1024 && p + bytes <= h.memory.buffer.byteLength, 'inside the heap');
            for (const [q, n] of live)
              assert.ok(p + bytes <= q || q + n <= p, `[${p}, +${bytes}) overlaps [${q}, +${n})`);
            live.push([p, bytes]);
          }
        }
        const used = live.reduce((s, [, n]) => s + blockBytes(n), 0);
        assert.is(h.stats().used, used);
      },
    ),
    { numRuns: 60 },
  );
});

test('a repeated pattern reuses its blocks: no fresh memory after the first round', () => {
  const h = new Heap(memory(1), 1024);
  const round = () => {
    const ps = [1000, 64, 70000, 1000, 5, 300000].map((b) => h.alloc(b));
    for (const p of ps.reverse()) h.release(p);
  };
  round();
  const fresh = h.freshBlocks;
  const top = h.stats().top;
  for (let i = 0; i < 20; i++) round();
  assert.is(h.freshBlocks, fresh);
  assert.is(h.stats().top, top);
});

test('a full memory merges adjacent free blocks before growing', () => {
  const h = new Heap(memory(1, 2), 1024, 2); // 64 KiB now, 128 KiB at most
  const small = Array.from({ length: 30 }, () => h.alloc(4000)); // 30 blocks of 4 KiB
  for (const p of small.slice(5, 25)) h.release(p); // 20 adjacent free blocks, 80 KiB
  const big = h.alloc(60000);
  assert.ok(big >= small[5] && big + 60000 <= small[25], 'carved from the merged free blocks');
  assert.is(h.stats().memory, 2 * 65536);
  assert.throws(
    () => h.alloc(200000),
    /out of memory: a block of .* MB does not fit with .* in use/,
  );
});

test('free bytes are accounted through merges and splits', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 30000 })), { maxLength: 300 }),
      (ops) => {
        const h = new Heap(memory(1, 8), 1024, 8); // small: merges and splits happen
        const live: number[] = [];
        for (const [free, bytes] of ops) {
          if (free && live.length > 0) h.release(live.splice(bytes % live.length, 1)[0]);
          else if (h.stats().used + blockBytes(bytes) < 400000) live.push(h.alloc(bytes));
          const st = h.stats();
          assert.is(st.used + st.free, st.top - 1024, 'every byte below the top is used or free');
        }
      },
    ),
    { numRuns: 60 },
  );
});

test('releasing an address that is not a block is an error', () => {
  const h = new Heap(memory(1), 1024);
  const p = h.alloc(10);
  h.release(p);
  assert.throws(() => h.release(p), /not a block/);
});

test.run();
