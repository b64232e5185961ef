// Whether Dawn can find a Vulkan GPU, decided without loading Dawn (src/platform/vulkan.ts): the
// loader on the library path or in the linker cache, a driver manifest named by the environment
// or found in the icd.d folders; other systems are never blocked. A small in-memory file system
// stands in for the machine's.
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { vulkanObstacle } from '../../src/platform/vulkan.js';

/** Files (and the folders above them) of a fake machine; `cache` is /etc/ld.so.cache's text. */
function machine(files: string[], cache = '') {
  const all = new Map<string, 'file' | 'dir'>();
  for (const f of files) {
    all.set(f, 'file');
    for (let d = path.dirname(f); d !== '/'; d = path.dirname(d)) all.set(d, 'dir');
  }
  const missing = (p: string) => Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
  return {
    existsSync: (p: string) => all.has(p),
    statSync: (p: string) => {
      const k = all.get(p);
      if (!k) throw missing(p);
      return { isDirectory: () => k === 'dir' };
    },
    readdirSync: (p: string) =>
      [...all.keys()].filter((k) => path.dirname(k) === p).map((k) => path.basename(k)),
    readFileSync: (p: string) => {
      if (p === '/etc/ld.so.cache' && cache) return Buffer.from(cache);
      throw missing(p);
    },
  } as unknown as typeof import('node:fs');
}

const check = (env: Record<string, string>, fs: typeof import('node:fs'), os = 'linux') =>
  vulkanObstacle({ HOME: '/home/u', ...env }, fs, path, os);

const LOADER = '/usr/lib/x86_64-linux-gnu/libvulkan.so.1';
const NVIDIA = '/usr/share/vulkan/icd.d/nvidia_icd.json';

test('no loader anywhere: blocked, naming libvulkan.so.1', () => {
  assert.match(String(check({}, machine([NVIDIA]))), /no Vulkan loader \(libvulkan\.so\.1\)/);
});

test('the loader in a system folder, on LD_LIBRARY_PATH, or only in the linker cache', () => {
  assert.is(check({}, machine([LOADER, NVIDIA])), null);
  const chromium = machine(['/usr/lib/chromium/libvulkan.so.1', NVIDIA]);
  assert.is(check({ LD_LIBRARY_PATH: '/opt/x:/usr/lib/chromium' }, chromium), null);
  assert.is(check({}, machine([NVIDIA], '...libvulkan.so.1...')), null);
});

test('a loader without a driver: blocked, naming the places searched', () => {
  assert.match(String(check({}, machine([LOADER]))), /no Vulkan driver is registered/);
  // a folder that exists but holds no manifest does not count
  const empty = machine([LOADER, '/etc/vulkan/icd.d/README']);
  assert.match(String(check({}, empty)), /no Vulkan driver/);
});

test('drivers: VK_ICD_FILENAMES / VK_DRIVER_FILES replace the search, icd.d folders otherwise', () => {
  const swift = '/usr/lib/chromium/vk_swiftshader_icd.json';
  const fs = machine([LOADER, swift]);
  assert.is(check({ VK_ICD_FILENAMES: swift }, fs), null);
  assert.is(check({ VK_DRIVER_FILES: `/nowhere.json:${swift}` }, fs), null);
  // named but missing: the loader would not search further either
  assert.match(
    String(check({ VK_ICD_FILENAMES: '/nowhere.json' }, machine([LOADER, NVIDIA]))),
    /driver/,
  );
  assert.is(check({ VK_ADD_DRIVER_FILES: swift }, fs), null);
  assert.is(check({}, machine([LOADER, '/etc/vulkan/icd.d/nvidia_icd.json'])), null);
  assert.is(check({}, machine([LOADER, '/home/u/.local/share/vulkan/icd.d/x.json'])), null);
  assert.is(
    check({ XDG_DATA_DIRS: '/opt/share' }, machine([LOADER, '/opt/share/vulkan/icd.d/a.json'])),
    null,
  );
});

test('other systems are never blocked (Dawn uses Metal or D3D12 there)', () => {
  assert.is(check({}, machine([]), 'darwin'), null);
  assert.is(check({}, machine([]), 'win32'), null);
});

test.run();
