// Can WebGPU find a GPU in this Node process? On Linux, Dawn (the npm package `webgpu`) reaches
// GPUs through Vulkan: it needs the Vulkan loader (libvulkan.so.1) and a registered driver (an
// ICD manifest). Without them Dawn finds no adapter and writes warnings to stderr that the user
// did not ask for, so the gpu backend looks first, without loading Dawn, the way the loader
// itself searches (Vulkan-Loader docs/LoaderDriverInterface.md, "Driver Discovery on Linux"):
// VK_DRIVER_FILES / VK_ICD_FILENAMES / VK_ADD_DRIVER_FILES, then the icd.d folders of the XDG
// config and data dirs, /etc and /usr/share. Other systems (Metal, D3D12) are never blocked.

type Fs = typeof import('node:fs');
type Path = typeof import('node:path');

/** Why Dawn will find no Vulkan GPU here (one sentence), or null when it may find one. */
export function vulkanObstacle(
  env: Record<string, string | undefined>,
  fs: Fs,
  path: Path,
  os: string,
): string | null {
  if (os !== 'linux') return null;
  if (!hasLoader(env, fs, path)) {
    return (
      'no Vulkan loader (libvulkan.so.1) on the library path; install libvulkan1 and a Vulkan ' +
      'driver for the GPU'
    );
  }
  if (!hasDriver(env, fs, path)) {
    return (
      'no Vulkan driver is registered (no ICD manifest in VK_DRIVER_FILES, VK_ICD_FILENAMES or ' +
      'the vulkan/icd.d folders)'
    );
  }
  return null;
}

const LIB_DIRS = [
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/lib64',
  '/usr/lib64',
  '/lib',
  '/usr/lib',
  '/usr/local/lib',
];

function hasLoader(env: Record<string, string | undefined>, fs: Fs, path: Path): boolean {
  const dirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...LIB_DIRS];
  if (dirs.some((d) => fs.existsSync(path.join(d, 'libvulkan.so.1')))) return true;
  try {
    // the dynamic linker's cache names every library ldconfig found (e.g. under /usr/local)
    return fs.readFileSync('/etc/ld.so.cache').includes('libvulkan.so.1');
  } catch {
    return false;
  }
}

function hasDriver(env: Record<string, string | undefined>, fs: Fs, path: Path): boolean {
  const listed = [env.VK_DRIVER_FILES, env.VK_ICD_FILENAMES, env.VK_ADD_DRIVER_FILES]
    .flatMap((v) => (v ?? '').split(':'))
    .filter(Boolean);
  if (listed.some((f) => isManifest(f, fs, path))) return true;
  if (env.VK_DRIVER_FILES || env.VK_ICD_FILENAMES) return false; // these replace the search
  const home = env.HOME ?? '';
  const config = [env.XDG_CONFIG_HOME || path.join(home, '.config')].concat(
    (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':'),
  );
  const data = [env.XDG_DATA_HOME || path.join(home, '.local/share')].concat(
    (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':'),
  );
  const dirs = [...config, '/etc', ...data, '/usr/share'].map((d) =>
    path.join(d, 'vulkan', 'icd.d'),
  );
  return dirs.some((d) => isManifest(d, fs, path));
}

/** A .json manifest file, or a folder holding one. */
function isManifest(p: string, fs: Fs, path: Path): boolean {
  try {
    if (fs.statSync(p).isDirectory()) {
      return fs
        .readdirSync(p)
        .some((f) => f.endsWith('.json') && isManifest(path.join(p, f), fs, path));
    }
    return p.endsWith('.json');
  } catch {
    return false;
  }
}
