// The one seeded pseudo-random generator: reproducible initialisation, drop path, augmentation,
// shuffling and tests. xoshiro128** (Blackman & Vigna, 2018; https://prng.di.unimi.it/) seeded
// through splitmix32, so that any integer seed gives a well-mixed state. Its state is four 32-bit
// words and can be saved in a checkpoint (`state()` / `setState()`) so that --resume continues
// with exactly the random numbers an uninterrupted run would have drawn.

export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null; // second Box–Muller value

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Re-seeds the generator (splitmix32 expands the seed into the 128-bit state). */
  seed(seed: number): this {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
    this.spare = null;
    return this;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in [lo, hi). */
  uniformRange(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Normal(mean, std²) truncated to the absolute interval [a, b], by rejection. The official
   * trunc_normal_ truncates at absolute bounds a = −2, b = 2 (not ±2σ): with std 0.02 nothing is
   * ever rejected and the draw is a plain normal (utils.trunc_normal_ uses ±2, not ±2σ).
   */
  truncNormal(mean: number, std: number, a = -2, b = 2): number {
    if (!(a < b)) throw new Error(`truncNormal: empty interval [${a}, ${b}]`);
    for (let tries = 0; tries < 1000; tries++) {
      const x = mean + std * this.normal();
      if (x >= a && x <= b) return x;
    }
    return Math.min(b, Math.max(a, mean)); // interval far in a tail: degenerate but bounded
  }

  /** true with probability p. */
  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /** The generator's full state, for checkpoints. */
  state(): number[] {
    return [...this.s, this.spare === null ? NaN : this.spare];
  }

  setState(state: readonly number[]): this {
    if (state.length !== 5)
      throw new Error(`Generator.setState: expected 5 numbers, got ${state.length}`);
    for (let i = 0; i < 4; i++) this.s[i] = state[i] >>> 0;
    this.spare = Number.isNaN(state[4]) ? null : state[4];
    return this;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The default generator used when no generator is passed explicitly. */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator (like torch.manual_seed). */
export function manualSeed(seed: number): void {
  defaultGenerator.seed(seed);
}
