// Turning the numbers of inspect.ts into PNG files.
import { Tensor } from '../tensor/tensor';
import { Canvas, diverging, formatNumber, viridis, type Rgb } from './canvas';

const PAD = 6, LABEL = 8;

function range(a: ArrayLike<number>, from = 0, to = a.length): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = from; i < to; i++) { lo = Math.min(lo, a[i]!); hi = Math.max(hi, a[i]!); }
  return [lo, hi];
}

function normalizer(lo: number, hi: number): (v: number) => number {
  return hi > lo ? (v) => (v - lo) / (hi - lo) : () => 0.5;
}

/**
 * One layer's activation for one image: every channel as a tile with its own
 * colour scale (viridis, min to max, printed under it); dense outputs as one
 * row of cells.
 */
export function renderFeatureMaps(output: Tensor, title: string, file: string): void {
  const [, c, h, w] = output.ndim === 4 ? (output.shape as [number, number, number, number]) : [1, output.size, 1, 1];
  const scale = Math.max(1, Math.floor(56 / Math.max(h, w)));
  const tileW = Math.max(w * scale, 48), tileH = h * scale;
  const cols = h * w === 1 ? Math.min(c, 16) : Math.ceil(Math.sqrt(c));
  const rows = Math.ceil(c / cols);
  const cellW = h * w === 1 ? 24 : tileW;
  const width = Math.max(PAD + cols * (cellW + PAD), Canvas.textWidth(title) + 2 * PAD);
  const height = 16 + rows * ((h * w === 1 ? 24 : tileH) + LABEL + PAD) + PAD;
  const cv = new Canvas(width, height);
  cv.text(title, PAD, 5);
  const data = output.data;
  const [glo, ghi] = range(data);
  for (let k = 0; k < c; k++) {
    const x = PAD + (k % cols) * (cellW + PAD), y = 16 + Math.floor(k / cols) * ((h * w === 1 ? 24 : tileH) + LABEL + PAD);
    if (h * w === 1) {
      // Dense units share one scale, so their values compare.
      cv.fill(x, y, 24, 24, viridis(normalizer(glo, ghi)(data[k]!)));
      cv.text(String(k), x, y + 26);
      continue;
    }
    const [lo, hi] = range(data, k * h * w, (k + 1) * h * w);
    const n = normalizer(lo, hi);
    cv.drawMap(data.subarray(k * h * w, (k + 1) * h * w), h, w, x, y, scale, (v) => viridis(n(v)));
    cv.text(`${k} ${formatNumber(lo)}/${formatNumber(hi)}`, x, y + tileH + 2);
  }
  cv.writePng(file);
}

/** A conv layer's filters: one row per filter, one tile per input channel (or one RGB tile for 3 channels). */
export function renderFilters(weight: Tensor, title: string, file: string): void {
  const [k, c, kh, kw] = weight.shape as [number, number, number, number];
  const scale = Math.max(2, Math.floor(40 / Math.max(kh, kw)));
  const rgb = c === 3;
  const tiles = rgb ? 1 : Math.min(c, 16);
  const tw = kw * scale, th = kh * scale;
  const perRow = rgb ? Math.min(k, 16) : 1;
  const rows = rgb ? Math.ceil(k / perRow) : k;
  const width = Math.max(PAD + (rgb ? perRow : tiles) * (tw + 2) + 24, Canvas.textWidth(title) + 2 * PAD);
  const cv = new Canvas(width, 16 + rows * (th + 4) + PAD);
  cv.text(title + (c > tiles && !rgb ? ` (first ${tiles} of ${c} input channels)` : ''), PAD, 5);
  const per = c * kh * kw;
  for (let f = 0; f < k; f++) {
    const w = weight.data.subarray(f * per, (f + 1) * per);
    const [lo, hi] = range(w);
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    if (rgb) {
      const x = PAD + 20 + (f % perRow) * (tw + 2), y = 16 + Math.floor(f / perRow) * (th + 4);
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) {
          const ch = (cc: number) => Math.round(255 * (0.5 + 0.5 * w[cc * kh * kw + i * kw + j]! / m));
          cv.fill(x + j * scale, y + i * scale, scale, scale, [ch(0), ch(1), ch(2)]);
        }
      continue;
    }
    const y = 16 + f * (th + 4);
    cv.text(String(f), PAD, y + 2);
    for (let ch = 0; ch < tiles; ch++) {
      cv.drawMap(w.subarray(ch * kh * kw, (ch + 1) * kh * kw), kh, kw, PAD + 20 + ch * (tw + 2), y, scale, (v) => diverging(v / m));
    }
  }
  cv.writePng(file);
}

/** How the model's input was normalised, per channel: x = (pixel in [0, 1] - mean[c]) / std[c]. */
export interface InputNorm {
  mean: readonly number[];
  std: readonly number[];
}

/** The model input [1, C, H, W] back to colours (0..255) with each channel's training normalisation undone. */
export function inputColors(image: Tensor, norm: InputNorm): (i: number) => Rgb {
  const [, c, h, w] = image.shape as [number, number, number, number];
  const px = (ch: number, i: number) => Math.round(255 * Math.min(1, Math.max(0, image.data[ch * h * w + i]! * norm.std[ch]! + norm.mean[ch]!)));
  return (i) => c === 3 ? [px(0, i), px(1, i), px(2, i)] : [px(0, i), px(0, i), px(0, i)];
}

export function renderImage(image: Tensor, norm: InputNorm, title: string, file: string, scale = 8): void {
  const [, , h, w] = image.shape as [number, number, number, number];
  const color = inputColors(image, norm);
  const cv = new Canvas(Math.max(w * scale, Canvas.textWidth(title)) + 2 * PAD, h * scale + 16 + PAD);
  cv.text(title, PAD, 5);
  for (let i = 0; i < h * w; i++) cv.fill(PAD + (i % w) * scale, 16 + Math.floor(i / w) * scale, scale, scale, color(i));
  cv.writePng(file);
}

/** A heat map over the image (upsampled from `mh x mw` to the image size), alone and blended over the image. */
export function renderHeat(map: Float32Array, mh: number, mw: number, image: Tensor, norm: InputNorm, title: string, heatFile: string, overlayFile: string, scale = 8): void {
  const [, , h, w] = image.shape as [number, number, number, number];
  const [lo, hi] = range(map);
  const n = normalizer(lo, hi);
  const at = (i: number) => map[Math.min(mh - 1, Math.floor(((Math.floor(i / w) + 0.5) * mh) / h)) * mw + Math.min(mw - 1, Math.floor((((i % w) + 0.5) * mw) / w))]!;
  const color = inputColors(image, norm);
  for (const [file, blend] of [[heatFile, false], [overlayFile, true]] as const) {
    const cv = new Canvas(Math.max(w * scale, Canvas.textWidth(title)) + 2 * PAD, h * scale + 26 + PAD);
    cv.text(title, PAD, 5);
    for (let i = 0; i < h * w; i++) {
      const hc = viridis(n(at(i)));
      const gray = color(i);
      const c: Rgb = blend ? [Math.round(0.45 * gray[0] + 0.55 * hc[0]), Math.round(0.45 * gray[1] + 0.55 * hc[1]), Math.round(0.45 * gray[2] + 0.55 * hc[2])] : hc;
      cv.fill(PAD + (i % w) * scale, 16 + Math.floor(i / w) * scale, scale, scale, c);
    }
    cv.text(`${formatNumber(lo)} to ${formatNumber(hi)}`, PAD, 16 + h * scale + 3);
    cv.writePng(file);
  }
}
