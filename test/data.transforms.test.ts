// Training-time augmentation (lib/data/transforms.ts) against hand-computed
// results, with the generator's draws fixed; the bilinear resize against
// PyTorch's interpolate (align_corners=False) on a 2x2 -> 4x4 case worked by
// hand; and a dataset's seeded draws: the same (seed, epoch, index) gives
// the same sample in any batch and order, another epoch another one.
import { describe, expect, it } from 'vitest';
import { Dataset } from '../lib/data/dataset';
import { augmentImage, sampleRng, type Augment } from '../lib/data/transforms';
import type { Rng } from '../lib/tensor/random';

/** A generator whose draws are given. */
const draws = (...values: number[]) => ({ next: () => values.shift()!, uniform: (lo: number, hi: number) => lo + (hi - lo) * values.shift()! }) as unknown as Rng;

function run(a: Augment, shape: [number, number, number], src: number[], rng: Rng, fill = [-9]): number[] {
  const size = a.resizedCrop?.size ?? a.crop?.size ?? shape[1];
  const out = new Float32Array(shape[0] * size * size);
  augmentImage(a, shape, Float32Array.from(src), 0, out, 0, rng, fill);
  return Array.from(out);
}

const NINE = [1, 2, 3, 4, 5, 6, 7, 8, 9]; // 1 x 3 x 3

describe('augmentations', () => {
  it('RandomCrop with padding: the window at the drawn offset, padding filled with black', () => {
    // top = floor(0 * 3) - 1 = -1, left = floor(0.99 * 3) - 1 = 1
    expect(run({ crop: { size: 3, padding: 1 } }, [1, 3, 3], NINE, draws(0, 0.99))).toEqual([-9, -9, -9, 2, 3, -9, 5, 6, -9]);
    // top = 1 - 1 = 0, left = 0 - 1 = -1; a 2x2 window
    expect(run({ crop: { size: 2, padding: 1 } }, [1, 3, 3], NINE, draws(0.4, 0.1))).toEqual([-9, 1, -9, 4]);
    expect(run({ crop: { size: 3 } }, [1, 3, 3], NINE, draws(0.5, 0.5))).toEqual(NINE);
  });

  it('RandomHorizontalFlip mirrors every row of every channel when drawn, and only then', () => {
    const two = [...NINE, ...NINE.map((v) => -v)];
    expect(run({ flip: { p: 0.5 } }, [2, 3, 3], two, draws(0.2))).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7, -3, -2, -1, -6, -5, -4, -9, -8, -7]);
    expect(run({ flip: { p: 0.5 } }, [2, 3, 3], two, draws(0.7))).toEqual(two);
    // crop, then flip
    expect(run({ crop: { size: 2 }, flip: {} }, [1, 3, 3], NINE, draws(0.9, 0, 0.1))).toEqual([5, 4, 8, 7]);
  });

  it("RandomResizedCrop: the drawn window resized bilinearly as PyTorch's interpolate (align_corners=False)", () => {
    // scale and ratio 1: the whole 2x2 image, to 4x4. By hand (and torch.nn.functional.interpolate):
    const want = [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3];
    expect(run({ resizedCrop: { size: 4, scale: [1, 1], ratio: [1, 1] } }, [1, 2, 2], [0, 1, 2, 3], draws(0.3, 0.5, 0, 0))).toEqual(want);
    // A quarter of the area at aspect 1: a 2x2 window of a 4x4 image at the drawn corner (1, 2), to 2x2.
    const sixteen = Array.from({ length: 16 }, (_, i) => i);
    expect(run({ resizedCrop: { size: 2, scale: [0.25, 0.25], ratio: [1, 1] } }, [1, 4, 4], sixteen, draws(0, 0.5, 0.4, 0.7))).toEqual([6, 7, 10, 11]);
  });

  it('refuses transforms that cannot apply, naming the field', () => {
    const bytes = new Uint8Array(2 * 27), labels = Int32Array.from([0, 1]);
    const pixels = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
    expect(() => new Dataset(bytes, labels, [3, 3, 3], 2)).toThrow(new TypeError('Dataset: byte images need options.pixels (mean and std per channel)'));
    expect(() => new Dataset(bytes, labels, [3, 3, 3], 2, { pixels: { mean: [0.5], std: [0.5] } })).toThrow(/pixels needs a mean and a std > 0 for each of the 3 channels/);
    expect(() => new Dataset(bytes, labels, [3, 3, 3], 2, { pixels, augment: { crop: { size: 6, padding: 1 } } })).toThrow(/augment.crop.size 6 is larger than the padded 5x5 image/);
    expect(() => new Dataset(bytes, labels, [3, 3, 3], 2, { pixels, augment: { rotate: {} } as never })).toThrow(/augment: unknown transform 'rotate'/);
    expect(() => new Dataset(bytes, labels, [3, 3, 3], 2, { pixels, augment: { resizedCrop: { size: 2, scale: [0, 1] } } })).toThrow(/augment.resizedCrop.scale must be \[min, max\]/);
  });
});

describe('seeded draws', () => {
  const n = 12;
  const bytes = Uint8Array.from({ length: n * 3 * 8 * 8 }, (_, i) => (i * 37) % 256);
  const data = new Dataset(bytes, Int32Array.from({ length: n }, (_, i) => i % 4), [3, 8, 8], 4, {
    pixels: { mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] }, augment: { crop: { size: 6, padding: 2 }, flip: {} },
  });
  const sample = (x: Float32Array, k: number) => Array.from(x.subarray(k * 108, (k + 1) * 108));

  it('a sample depends on (seed, epoch, index) only: not on its batch, its place in it, or the batch size', () => {
    const a = data.gather([3, 7, 11], { seed: 5, epoch: 2 }).x;
    const b = data.gather([11, 0, 3, 9, 7], { seed: 5, epoch: 2 }).x;
    expect(a.shape).toEqual([3, 3, 6, 6]);
    expect(sample(a.data, 0)).toEqual(sample(b.data, 2));
    expect(sample(a.data, 1)).toEqual(sample(b.data, 4));
    expect(sample(a.data, 2)).toEqual(sample(b.data, 0));
    const other = data.gather([3, 7, 11], { seed: 5, epoch: 3 }).x;
    expect([0, 1, 2].some((k) => sample(other.data, k).join() !== sample(a.data, k).join())).toBe(true);
  });

  it('without a draw (evaluation) there is no augmentation: the normalised bytes', () => {
    const x = data.gather([1]).x;
    expect(x.shape).toEqual([1, 3, 8, 8]);
    expect(x.data[64 + 5]).toBe(Math.fround((bytes[192 + 64 + 5]! / 255 - 0.5) / 0.25));
  });

  it('the per-sample generators differ from sample to sample and epoch to epoch', () => {
    const firsts = new Set<number>();
    for (let e = 0; e < 20; e++) for (let i = 0; i < 50; i++) firsts.add(sampleRng(1, e, i).next());
    expect(firsts.size).toBe(1000);
  });
});
