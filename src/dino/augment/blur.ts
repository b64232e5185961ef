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

/** Reusable line buffers for blurring images up to a given side. */
export class GaussianBlurPIL {
  private line = new Int32Array(0);

  /** Blurs `img` (H x W x C uint8, HWC) in place with PIL's GaussianBlur(radius). */
  apply(img: Uint8Array, H: number, W: number, C: number, radius: number): void {
    const r = boxRadiusForGaussian(radius);
    if (r === 0) return;
    const side = Math.max(H, W);
    if (this.line.length < side) this.line = new Int32Array(side);
    const { ri, ww, fw } = boxWeights(r);
    // Horizontal: every row, every channel, 3 passes.
    for (let y = 0; y < H; y++) {
      for (let c = 0; c < C; c++) this.blurLine(img, y * W * C + c, C, W, ri, ww, fw);
    }
    // Vertical: every column, every channel, 3 passes.
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < C; c++) this.blurLine(img, x * C + c, W * C, H, ri, ww, fw);
    }
  }

  /** Three box-blur passes over the n values img[off + i * step]. */
  private blurLine(img: Uint8Array, off: number, step: number, n: number, radius: number, ww: number, fw: number): void {
    const line = this.line;
    const last = n - 1;
    for (let pass = 0; pass < PASSES; pass++) {
      for (let i = 0, p = off; i < n; i++, p += step) line[i] = img[p];
      // Window sum for x = −1: indices −r−1 .. r−1, clamped to the line (edges replicated).
      let acc = 0;
      for (let k = -radius - 1; k <= radius - 1; k++) acc += line[k < 0 ? 0 : k > last ? last : k];
      for (let x = 0, p = off; x < n; x++, p += step) {
        const sub = x - radius - 1;
        const add = x + radius;
        const far = x + radius + 1;
        acc += line[add > last ? last : add] - line[sub < 0 ? 0 : sub];
        const bulk = acc * ww + (line[sub < 0 ? 0 : sub] + line[far > last ? last : far]) * fw;
        img[p] = (bulk + (1 << 23)) >>> 24;
      }
    }
  }
}

/** Integer radius and 24-bit weights of the inner taps (ww) and the two fractional end taps (fw). */
function boxWeights(floatRadius: number): { ri: number; ww: number; fw: number } {
  const ri = Math.trunc(floatRadius);
  const ww = Math.trunc(f32((1 << 24) / f32(f32(floatRadius * 2) + 1)));
  const fw = Math.trunc(((1 << 24) - (ri * 2 + 1) * ww) / 2);
  return { ri, ww, fw };
}
