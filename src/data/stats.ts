// Per-channel mean and standard deviation of a dataset's pixels on the [0, 1] scale, for the
// normalisation step of the augmentation (torchvision Normalize(mean, std)). Official
// counterpart: the hard-coded ImageNet statistics (0.485, 0.456, 0.406) / (0.229, 0.224, 0.225)
// in main_dino.py; for another dataset compute them once with this and put them in the config.
// The std is the population std over all pixels of all images (as usually quoted for MNIST).

import type { ImageDataset } from './image-dataset.js';

export interface ChannelStats {
  mean: number[];
  std: number[];
}

/** Mean and std per channel over the first `limit` images (all by default). */
export function channelStats(ds: ImageDataset, limit = ds.length): ChannelStats {
  const C = ds.channels;
  const sum = new Float64Array(C);
  const sum2 = new Float64Array(C);
  let count = 0;
  const n = Math.min(limit, ds.length);
  // Integer histograms per channel keep the sums exact whatever the dataset size.
  const hist = Array.from({ length: C }, () => new Float64Array(256));
  for (let i = 0; i < n; i++) {
    const { data } = ds.image(i);
    for (let c = 0; c < C; c++) {
      const h = hist[c];
      for (let p = c; p < data.length; p += C) h[data[p]]++;
    }
    count += data.length / C;
  }
  if (count === 0) throw new Error(`channelStats: ${ds.name} has no pixels`);
  for (let c = 0; c < C; c++) {
    for (let v = 0; v < 256; v++) {
      sum[c] += hist[c][v] * v;
      sum2[c] += hist[c][v] * v * v;
    }
  }
  const mean = Array.from(sum, (s) => s / count / 255);
  const std = Array.from(sum2, (s2, c) =>
    Math.sqrt(Math.max(0, s2 / count / 65025 - mean[c] * mean[c])),
  );
  return { mean, std };
}

/** The smallest std normalisation uses: one grey level. A uniform channel (std 0) would divide
 * by zero; with this floor its pixels map to finite values and a warning says so. */
export const MIN_STD = 1 / 255;

/**
 * Normalisation statistics of a dataset (per channel, on [0, 1], rounded to 4 decimals; from up
 * to 10 000 images). A std below MIN_STD is raised to it, with a `warn` naming the channel.
 */
export function normalizationOf(
  ds: ImageDataset,
  warn: (message: string) => void = () => {},
): ChannelStats {
  const s = channelStats(ds, Math.min(ds.length, 10000));
  const std = s.std.map((v, c) => {
    if (v >= MIN_STD) return Number(v.toFixed(4));
    warn(
      `${ds.name}: channel ${c} is (nearly) uniform (std ${v.toExponential(2)}); normalising ` +
        `with std 1/255 instead`,
    );
    return MIN_STD;
  });
  return { mean: s.mean.map((v) => Number(v.toFixed(4))), std };
}
