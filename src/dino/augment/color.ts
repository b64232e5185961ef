// Colour operations on uint8 HWC images with PIL semantics, in place: brightness, contrast and
// saturation as Image.blend(degenerate, img, factor) (float32 arithmetic, truncation, clipping),
// hue as torchvision's shift of PIL's HSV H channel (uint8 wrap-around), grayscale as PIL's
// convert('L') (ITU-R 601-2 luma in 16-bit fixed point), solarize as ImageOps.solarize(128).
// Official counterpart: torchvision ColorJitter / RandomGrayscale (functional_pil adjust_*),
// utils.Solarization; Pillow ImageEnhance.py, libImaging/Blend.c and Convert.c (rgb2hsv, hsv2rgb).

const f32 = Math.fround;

/** PIL's ImagingBlend of one value: im1 + alpha·(im2 − im1) in float32, truncated (clipped when
 * extrapolating). */
function blend(im1: number, im2: number, alpha: number): number {
  const t = f32(im1 + f32(alpha * (im2 - im1)));
  if (alpha >= 0 && alpha <= 1) return Math.trunc(t);
  return t <= 0 ? 0 : t >= 255 ? 255 : Math.trunc(t);
}

/** PIL convert('L'): L = (19595 R + 38470 G + 7471 B + 0x8000) >> 16. */
export function luma(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}

/** Lookup table of blend(constant, v, alpha) for v = 0..255. */
function blendLut(lut: Uint8Array, constant: number, alpha: number): Uint8Array {
  const a = f32(alpha);
  for (let v = 0; v < 256; v++) lut[v] = blend(constant, v, a);
  return lut;
}

/** Scratch tables shared by the colour operations of one augmentation instance. */
export class ColorOps {
  private lut = new Uint8Array(256);

  /** ImageEnhance.Brightness(img).enhance(factor): blend with black. */
  brightness(img: Uint8Array, n: number, factor: number): void {
    const lut = blendLut(this.lut, 0, factor);
    for (let i = 0; i < n; i++) img[i] = lut[img[i]];
  }

  /** ImageEnhance.Contrast: blend with the mean grey level int(mean(L) + 0.5). `n` = values
   * (pixels·C). */
  contrast(img: Uint8Array, n: number, C: number, factor: number): void {
    let sum = 0;
    if (C === 1) {
      for (let i = 0; i < n; i++) sum += img[i];
    } else {
      for (let i = 0; i < n; i += 3) sum += luma(img[i], img[i + 1], img[i + 2]);
    }
    const mean = Math.trunc(sum / (n / C) + 0.5);
    const lut = blendLut(this.lut, mean, factor);
    for (let i = 0; i < n; i++) img[i] = lut[img[i]];
  }

  /** ImageEnhance.Color (saturation): blend with the image's own grey version. RGB only. */
  saturation(img: Uint8Array, n: number, factor: number): void {
    const a = f32(factor);
    for (let i = 0; i < n; i += 3) {
      const l = luma(img[i], img[i + 1], img[i + 2]);
      img[i] = blend(l, img[i], a);
      img[i + 1] = blend(l, img[i + 1], a);
      img[i + 2] = blend(l, img[i + 2], a);
    }
  }

  /** torchvision F_pil.adjust_hue: H channel of PIL's HSV plus uint8(hue·255), wrapping. RGB only.
   * */
  hue(img: Uint8Array, n: number, hueFactor: number): void {
    const shift = Math.trunc(hueFactor * 255) & 255; // np.array(h * 255).astype(np.uint8)
    if (shift === 0) return;
    for (let i = 0; i < n; i += 3) {
      const r = img[i],
        g = img[i + 1],
        b = img[i + 2];
      const maxc = r > g ? (r > b ? r : b) : g > b ? g : b;
      const minc = r < g ? (r < b ? r : b) : g < b ? g : b;
      if (maxc === minc) continue; // s = 0: hsv2rgb returns (v, v, v) = the input
      // rgb2hsv (libImaging/Convert.c), float32 like the C code.
      const cr = maxc - minc;
      const s = f32(cr / maxc);
      const rc = f32((maxc - r) / cr);
      const gc = f32((maxc - g) / cr);
      const bc = f32((maxc - b) / cr);
      let h: number;
      if (r === maxc) h = f32(bc - gc);
      else if (g === maxc)
        h = f32(2.0 + rc - bc); // 2.0 is a double in C: computed in double
      else h = f32(4.0 + gc - rc);
      h = f32((h / 6.0 + 1.0) % 1.0);
      let uh = clip8(Math.trunc(h * 255.0));
      const us = clip8(Math.trunc(s * 255.0));
      uh = (uh + shift) & 255;
      hsvToRgb(img, i, uh, us, maxc);
    }
  }
}

function clip8(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : v;
}

/** hsv2rgb of libImaging/Convert.c, writing 3 values at img[o]. */
function hsvToRgb(img: Uint8Array, o: number, h: number, s: number, v: number): void {
  if (s === 0) {
    img[o] = v;
    img[o + 1] = v;
    img[o + 2] = v;
    return;
  }
  const i = Math.floor((h * 6.0) / 255.0);
  const f = f32((h * 6.0) / 255.0 - i);
  const fs = f32(s / 255.0);
  const p = clip8(Math.round(v * (1.0 - fs)));
  const q = clip8(Math.round(v * (1.0 - fs * f)));
  const t = clip8(Math.round(v * (1.0 - fs * (1.0 - f))));
  switch (i % 6) {
    case 0:
      img[o] = v;
      img[o + 1] = t;
      img[o + 2] = p;
      break;
    case 1:
      img[o] = q;
      img[o + 1] = v;
      img[o + 2] = p;
      break;
    case 2:
      img[o] = p;
      img[o + 1] = v;
      img[o + 2] = t;
      break;
    case 3:
      img[o] = p;
      img[o + 1] = q;
      img[o + 2] = v;
      break;
    case 4:
      img[o] = t;
      img[o + 1] = p;
      img[o + 2] = v;
      break;
    default:
      img[o] = v;
      img[o + 1] = p;
      img[o + 2] = q;
      break;
  }
}

/** PIL convert('L') replicated to 3 channels (torchvision rgb_to_grayscale, 3 output channels). */
export function grayscale(img: Uint8Array, n: number): void {
  for (let i = 0; i < n; i += 3) {
    const l = luma(img[i], img[i + 1], img[i + 2]);
    img[i] = l;
    img[i + 1] = l;
    img[i + 2] = l;
  }
}

/** ImageOps.solarize(threshold 128): every value ≥ 128 becomes 255 − value. */
export function solarize(img: Uint8Array, n: number): void {
  for (let i = 0; i < n; i++) if (img[i] >= 128) img[i] = 255 - img[i];
}

/** Mirrors each row of an H x W x C image in place. */
export function flipHorizontal(img: Uint8Array, H: number, W: number, C: number): void {
  for (let y = 0; y < H; y++) {
    const row = y * W * C;
    for (let a = 0, b = W - 1; a < b; a++, b--) {
      const pa = row + a * C,
        pb = row + b * C;
      for (let c = 0; c < C; c++) {
        const t = img[pa + c];
        img[pa + c] = img[pb + c];
        img[pb + c] = t;
      }
    }
  }
}
