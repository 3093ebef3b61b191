// Classic image filters as convolutions, with convnode's own conv2d: the
// article's sharpen, box blur and edge detect kernels, or any kernel. A
// "filter" is the same operation a conv layer learns.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { backend } from '../backend';
import { decodeImage } from '../data/image';

export interface Kernel {
  size: number;
  values: Float32Array;
}

/** The kernels printed in the source articles (../shared/seeds/003). */
export const KERNELS: Record<'sharpen' | 'blur' | 'edge', Kernel> = {
  sharpen: { size: 5, values: Float32Array.from([0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, -1, 5, -1, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0]) },
  // The article's 3x3 block of ones inside a 5x5 kernel, divided by 9 so brightness is kept.
  blur: { size: 5, values: Float32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0].map((v) => v / 9)) },
  edge: { size: 3, values: Float32Array.from([0, 1, 0, 1, -4, 1, 0, 1, 0]) },
};

/** Parses "0,0,1;1,0,0;0,1,1" (rows separated by ';') into a square kernel. */
export function parseKernel(text: string): Kernel {
  // Number('') is 0: an empty entry (or an empty --kernel) must not pass as a zero.
  const rows = text.split(';').map((r) => r.split(',').map((v) => (v.trim() === '' ? NaN : Number(v))));
  const size = rows.length;
  if (rows.some((r) => r.length !== size || r.some((v) => !Number.isFinite(v)))) {
    throw new RangeError(`--kernel must be a square matrix of numbers, rows separated by ';' and values by ',' (e.g. "0,1,0;1,-4,1;0,1,0"), got '${text}'`);
  }
  return { size, values: Float32Array.from(rows.flat()) };
}

export interface FilterResult {
  width: number;
  height: number;
  /** Per channel (R, G, B), row-major, unclamped. */
  channels: Float32Array[];
}

/** Convolves each RGB channel (0..255) of an image file; 'same' pads with zeros to keep the size, 'valid' does not pad. */
export function filterImage(file: string, kernel: Kernel, padding: 'same' | 'valid' = 'same'): FilterResult {
  const img = decodeImage(file);
  const { width: w, height: h } = img;
  const pad = padding === 'same' ? Math.floor(kernel.size / 2) : 0;
  if (padding === 'valid' && (w < kernel.size || h < kernel.size)) throw new RangeError(`${file}: ${w}x${h} is smaller than the ${kernel.size}x${kernel.size} kernel`);
  const x = new Float32Array(3 * h * w);
  for (let i = 0; i < h * w; i++) for (let c = 0; c < 3; c++) x[c * h * w + i] = img.rgba[4 * i + c]!;
  const ho = h + 2 * pad - kernel.size + 1, wo = w + 2 * pad - kernel.size + 1;
  const y = new Float32Array(3 * ho * wo);
  // The three channels go through as a batch of three single-channel images.
  backend().conv2dForward({ n: 3, c: 1, h, w, k: 1, kh: kernel.size, kw: kernel.size, padH: pad, padW: pad }, x, kernel.values, null, y);
  return { width: wo, height: ho, channels: [0, 1, 2].map((c) => y.subarray(c * ho * wo, (c + 1) * ho * wo)) };
}

/** Writes the result clamped to 0..255, or stretched to it with normalize. */
export function writeFiltered(r: FilterResult, file: string, normalize = false): void {
  let lo = 0, hi = 255;
  if (normalize) {
    lo = Infinity; hi = -Infinity;
    for (const ch of r.channels) for (const v of ch) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (!(hi > lo)) hi = lo + 1;
  }
  const png = new PNG({ width: r.width, height: r.height });
  for (let i = 0; i < r.width * r.height; i++) {
    for (let c = 0; c < 3; c++) {
      const v = normalize ? (255 * (r.channels[c]![i]! - lo)) / (hi - lo) : r.channels[c]![i]!;
      png.data[4 * i + c] = Math.min(255, Math.max(0, Math.round(v)));
    }
    png.data[4 * i + 3] = 255;
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, PNG.sync.write(png));
}
