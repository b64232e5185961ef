// Shared by the collapse study and the stall-detector tests: n grey SIZE×SIZE images of 1–3
// random shapes each (Gaussian blob, filled square, ring) plus noise, all from one seed.
import type { Image } from '../../src/data/image.js';
import { Generator } from '../../src/tensor/random.js';

export const SIZE = 16;

/** n grey images with 1–3 random shapes each (Gaussian blob, filled square, ring) plus noise. */
export function syntheticShapes(n: number, seed: number): Image[] {
  const g = new Generator(seed);
  return Array.from({ length: n }, () => {
    const d = new Float64Array(SIZE * SIZE);
    const count = 1 + g.int(3);
    for (let s = 0; s < count; s++) {
      const kind = g.int(3);
      const cy = g.uniformRange(2, SIZE - 2);
      const cx = g.uniformRange(2, SIZE - 2);
      const r = g.uniformRange(1.5, SIZE / 4);
      const amp = g.uniformRange(0.4, 1);
      for (let y = 0; y < SIZE; y++) {
        for (let x = 0; x < SIZE; x++) {
          const dy = y - cy;
          const dx = x - cx;
          const v =
            kind === 0
              ? Math.exp(-(dx * dx + dy * dy) / (2 * r * r))
              : kind === 1
                ? Math.abs(dx) < r && Math.abs(dy) < r
                  ? 1
                  : 0
                : Math.abs(Math.hypot(dx, dy) - r) < 1
                  ? 1
                  : 0;
          d[y * SIZE + x] += amp * v;
        }
      }
    }
    const data = Uint8Array.from(d, (v) =>
      Math.max(0, Math.min(255, Math.round(255 * Math.min(1, v) + 20 * g.normal()))),
    );
    return { data, height: SIZE, width: SIZE, channels: 1 } as Image;
  });
}
