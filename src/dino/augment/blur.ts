// PIL's ImageFilter.GaussianBlur(radius) on uint8 images, bit for bit: three passes of an
// "extended" box blur (fractional radius from Gwosdek et al., "Theoretical foundations of Gaussian
// convolution by extended box filtering", SSVM 2011) per axis, horizontal passes first, edges
// replicated, 24-bit fixed point and a uint8 result after every pass. Its cost does not depend on
// the radius. Official counterpart: main_dino.py → utils.GaussianBlur (p, radius ~ U(0.1, 2.0));
// Pillow src/libImaging/BoxBlur.c (_gaussian_blur_radius, ImagingLineBoxBlur8, ImagingBoxBlur).

const f32 = Math.fround;
const PASSES = 3;

/** Pillow's _gaussian_blur_radius: the box radius whose `passes`-fold blur has variance radius². */
export function boxRadiusForGaussian(radius: number, passes = PASSES): number {
  const sigma2 = f32(f32(f32(radius) * f32(radius)) / passes);
  const L = f32(Math.sqrt(12.0 * sigma2 + 1.0));
  const l = f32(Math.floor((L - 1.0) / 2.0));
  let a = f32(f32(2 * l + 1) * f32(f32(l * f32(l + 1)) - f32(3 * sigma2)));
  a = f32(a / f32(6 * f32(sigma2 - f32(f32(l + 1) * f32(l + 1)))));
  return f32(l + a);
}

/** Reusable line buffers for blurring images of any size. */
export class GaussianBlurPIL {
  private a = new Int32Array(0);
  private b = new Int32Array(0);

  /** Blurs `img` (H x W x C uint8, HWC) in place with PIL's GaussianBlur(radius). */
  apply(img: Uint8Array, H: number, W: number, C: number, radius: number): void {
    const r = boxRadiusForGaussian(radius);
    if (r === 0) return;
    const { ri, ww, fw } = boxWeights(r);
    const need = Math.max(H, W) + 2 * (ri + 1);
    if (this.a.length < need) {
      this.a = new Int32Array(need);
      this.b = new Int32Array(need);
    }
    // Horizontal: every row and channel, 3 passes; then vertical: every column and channel.
    for (let y = 0; y < H; y++) {
      for (let c = 0; c < C; c++) this.blurLine(img, y * W * C + c, C, W, ri, ww, fw);
    }
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < C; c++) this.blurLine(img, x * C + c, W * C, H, ri, ww, fw);
    }
  }

  /**
   * Three box-blur passes over the n values img[off + i * step]. The line lives in a buffer padded
   * with pad = r + 1 copies of its end values on each side (PIL replicates the edges), so the
   * sliding window needs no bounds checks: out[x] = (Σ_{|k|≤r} in[x+k]·ww + (in[x−r−1] +
   * in[x+r+1])·fw + 2²³) >> 24.
   */
  private blurLine(
    img: Uint8Array,
    off: number,
    step: number,
    n: number,
    r: number,
    ww: number,
    fw: number,
  ): void {
    const pad = r + 1;
    let src = this.a;
    let dst = this.b;
    for (let i = 0, p = off; i < n; i++, p += step) src[pad + i] = img[p];
    for (let pass = 0; pass < PASSES; pass++) {
      const first = src[pad];
      const last = src[pad + n - 1];
      for (let k = 0; k < pad; k++) {
        src[k] = first;
        src[pad + n + k] = last;
      }
      // Window sum for x = −1: padded indices pad−1−r .. pad−1+r.
      let acc = 0;
      for (let k = pad - 1 - r; k <= pad - 1 + r; k++) acc += src[k];
      for (let x = 0, i = pad; x < n; x++, i++) {
        acc += src[i + r] - src[i - r - 1];
        dst[i] = (acc * ww + (src[i - r - 1] + src[i + r + 1]) * fw + 8388608) >>> 24;
      }
      const t = src;
      src = dst;
      dst = t;
    }
    for (let i = 0, p = off; i < n; i++, p += step) img[p] = src[pad + i];
  }
}

/** Integer radius and 24-bit weights of the inner taps (ww) and the two fractional end taps (fw).
 * */
function boxWeights(floatRadius: number): { ri: number; ww: number; fw: number } {
  const ri = Math.trunc(floatRadius);
  const ww = Math.trunc(f32((1 << 24) / f32(f32(floatRadius * 2) + 1)));
  const fw = Math.trunc(((1 << 24) - (ri * 2 + 1) * ww) / 2);
  return { ri, ww, fw };
}
