// gpu.js, loaded on first use of the gpu backend: importing mini-dino does not load it (it is
// about 120 files; the cpu backend never needs them). createGpuBackend awaits loadGpuJs() before
// it builds a backend, after which gpujs() hands the module to the synchronous code.

type GpuJs = typeof import('gpu.js');

let loaded: GpuJs | null = null;
let loading: Promise<GpuJs> | null = null;

/** Loads gpu.js once (later calls return the same module). */
export function loadGpuJs(): Promise<GpuJs> {
  loading ??= import('gpu.js').then((m) => (loaded = m));
  return loading;
}

/** The loaded gpu.js module; the gpu backend exists only after loadGpuJs() resolved. */
export function gpujs(): GpuJs {
  if (!loaded) {
    throw new Error(
      'gpu backend: gpu.js is not loaded yet; create the backend with createGpuBackend() ' +
        "or selectBackend('gpu'), which load it",
    );
  }
  return loaded;
}
