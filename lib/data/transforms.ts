// Training-time augmentation of CHW float images, as torchvision's
// transforms do it, described as plain data (JSON) so that the training
// worker and the model file can carry it:
//   crop:        RandomCrop(size, padding): zero-pad, then a random size x size window
//   resizedCrop: RandomResizedCrop(size, scale, ratio): a random area and aspect,
//                resized (bilinear) to size x size
//   flip:        RandomHorizontalFlip(p)
// Applied in that order. Every sample draws from its own generator, seeded
// from (run seed, epoch, sample index): the same seed gives the same batches
// whatever the batch order, the thread count or the number of workers.
import { Rng } from '../tensor/random';

export interface Augment {
  crop?: { size: number; padding?: number };
  resizedCrop?: { size: number; scale?: [number, number]; ratio?: [number, number] };
  flip?: { p?: number };
}

/** The image shape [c, h, w] an augmentation turns `shape` into. */
export function augmentedShape(shape: readonly [number, number, number], a: Augment): [number, number, number] {
  const size = a.resizedCrop?.size ?? a.crop?.size;
  return size === undefined ? [...shape] : [shape[0], size, size];
}

/** Checks an augmentation against the images it will see; the message names the field. */
export function checkAugment(a: Augment, shape: readonly [number, number, number]): void {
  const whole = (name: string, v: unknown, min: number) => {
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= min)) throw new RangeError(`augment.${name} must be a whole number >= ${min}, got ${JSON.stringify(v)}`);
  };
  const range = (name: string, v: unknown, lo: number, hi: number) => {
    if (!(Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && x > lo && x <= hi) && v[0] <= v[1]))
      throw new RangeError(`augment.${name} must be [min, max] with ${lo} < min <= max <= ${hi}, got ${JSON.stringify(v)}`);
  };
  if (typeof a !== 'object' || a === null) throw new TypeError(`augment must be an object, got ${JSON.stringify(a)}`);
  for (const key of Object.keys(a)) if (!['crop', 'resizedCrop', 'flip'].includes(key)) throw new TypeError(`augment: unknown transform '${key}' (known: crop, resizedCrop, flip)`);
  if (a.crop !== undefined) {
    whole('crop.size', a.crop.size, 1);
    whole('crop.padding', a.crop.padding ?? 0, 0);
    const [, h, w] = shape, pad = a.crop.padding ?? 0;
    if (a.crop.size > h + 2 * pad || a.crop.size > w + 2 * pad) throw new RangeError(`augment.crop.size ${a.crop.size} is larger than the padded ${h + 2 * pad}x${w + 2 * pad} image`);
  }
  if (a.resizedCrop !== undefined) {
    if (a.crop !== undefined) throw new RangeError('augment: crop and resizedCrop both choose the window; give one');
    whole('resizedCrop.size', a.resizedCrop.size, 1);
    if (a.resizedCrop.scale !== undefined) range('resizedCrop.scale', a.resizedCrop.scale, 0, 1);
    if (a.resizedCrop.ratio !== undefined) range('resizedCrop.ratio', a.resizedCrop.ratio, 0, Infinity);
  }
  const p = a.flip?.p ?? 0.5;
  if (!(typeof p === 'number' && p >= 0 && p <= 1)) throw new RangeError(`augment.flip.p must be in [0, 1], got ${JSON.stringify(a.flip?.p)}`);
}

/** Sample `index`'s generator in `epoch` of a run seeded `seed` (a 32-bit mix of the three). */
export function sampleRng(seed: number, epoch: number, index: number): Rng {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(epoch + 0x632be5ab, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) ^ Math.imul(index + 0x165667b1, 0x846ca68b);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return new Rng((h ^ (h >>> 16)) >>> 0);
}

/**
 * Bilinear sample of plane `src` (h x w) over the window [y0, y0 + wh) x
 * [x0, x0 + ww) into `out` (size x size), pixel centres aligned as
 * torchvision's resize (align_corners false).
 */
function resizeWindow(src: Float32Array, srcOff: number, h: number, w: number, y0: number, x0: number, wh: number, ww: number,
  out: Float32Array, outOff: number, size: number): void {
  const sy = wh / size, sx = ww / size;
  for (let i = 0; i < size; i++) {
    const fy = Math.min(Math.max(y0 + (i + 0.5) * sy - 0.5, 0), h - 1);
    const r0 = Math.floor(fy), r1 = Math.min(r0 + 1, h - 1), ty = fy - r0;
    for (let j = 0; j < size; j++) {
      const fx = Math.min(Math.max(x0 + (j + 0.5) * sx - 0.5, 0), w - 1);
      const c0 = Math.floor(fx), c1 = Math.min(c0 + 1, w - 1), tx = fx - c0;
      const top = src[srcOff + r0 * w + c0]! * (1 - tx) + src[srcOff + r0 * w + c1]! * tx;
      const bottom = src[srcOff + r1 * w + c0]! * (1 - tx) + src[srcOff + r1 * w + c1]! * tx;
      out[outOff + i * size + j] = top * (1 - ty) + bottom * ty;
    }
  }
}

/** torchvision's RandomResizedCrop window: up to 10 tries at a random area and aspect, else the central crop. */
function resizedCropWindow(h: number, w: number, scale: [number, number], ratio: [number, number], rng: Rng): [number, number, number, number] {
  const area = h * w;
  const [lr0, lr1] = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let t = 0; t < 10; t++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(lr0, lr1));
    const ww = Math.round(Math.sqrt(target * aspect)), wh = Math.round(Math.sqrt(target / aspect));
    if (ww > 0 && wh > 0 && ww <= w && wh <= h) {
      const y0 = Math.floor(rng.next() * (h - wh + 1)), x0 = Math.floor(rng.next() * (w - ww + 1));
      return [y0, x0, wh, ww];
    }
  }
  const inRatio = w / h;
  let ww = w, wh = h;
  if (inRatio < ratio[0]) wh = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) ww = Math.round(h * ratio[1]);
  return [Math.floor((h - wh) / 2), Math.floor((w - ww) / 2), wh, ww];
}

/**
 * One image (c x h x w at src[srcOff]) augmented into out[outOff] (c x s x s,
 * s from augmentedShape), drawing from `rng`. `fill` is each channel's value
 * of a zero pixel (padding is black before normalisation, as torchvision pads).
 */
export function augmentImage(a: Augment, shape: readonly [number, number, number], src: Float32Array, srcOff: number,
  out: Float32Array, outOff: number, rng: Rng, fill: readonly number[]): void {
  const [c, h, w] = shape;
  const [, oh, ow] = augmentedShape(shape, a);
  if (a.resizedCrop !== undefined) {
    const [y0, x0, wh, ww] = resizedCropWindow(h, w, a.resizedCrop.scale ?? [0.08, 1], a.resizedCrop.ratio ?? [3 / 4, 4 / 3], rng);
    for (let ch = 0; ch < c; ch++) resizeWindow(src, srcOff + ch * h * w, h, w, y0, x0, wh, ww, out, outOff + ch * oh * ow, oh);
  } else {
    const pad = a.crop?.padding ?? 0;
    const top = a.crop === undefined ? 0 : Math.floor(rng.next() * (h + 2 * pad - oh + 1)) - pad;
    const left = a.crop === undefined ? 0 : Math.floor(rng.next() * (w + 2 * pad - ow + 1)) - pad;
    for (let ch = 0; ch < c; ch++) {
      const f = fill[ch] ?? 0;
      for (let i = 0; i < oh; i++) {
        const r = top + i;
        for (let j = 0; j < ow; j++) {
          const q = left + j;
          out[outOff + (ch * oh + i) * ow + j] = r >= 0 && r < h && q >= 0 && q < w ? src[srcOff + (ch * h + r) * w + q]! : f;
        }
      }
    }
  }
  if (a.flip !== undefined && rng.next() < (a.flip.p ?? 0.5)) {
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < oh; i++) {
        const row = outOff + (ch * oh + i) * ow;
        for (let j = 0; j < ow >> 1; j++) {
          const t = out[row + j]!;
          out[row + j] = out[row + ow - 1 - j]!;
          out[row + ow - 1 - j] = t;
        }
      }
    }
  }
}
