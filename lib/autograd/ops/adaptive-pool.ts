// Adaptive average pooling (torch.nn.functional.adaptive_avg_pool2d): the
// output size is given and each output cell averages the input window
// [floor(i * H / oh), ceil((i + 1) * H / oh)) x (the same across W), as
// PyTorch does. When the size divides evenly (global pooling, the ResNet
// case: oh = ow = 1) the windows are a plain average pool and run on the
// backend's pool kernels (native where the addon loads); otherwise these
// loops run on either backend.
import { Tensor } from '../../tensor/tensor';
import { outputBuffer } from '../../tensor/buffer-pool';
import { expectRank, result } from '../result';
import { pair, type Pair } from './pair';
import { pool2d } from './pool';

/** Output cell i's input window [start, end) along an axis of `size` split into `cells`. */
function windowOf(i: number, size: number, cells: number): [number, number] {
  return [Math.floor((i * size) / cells), Math.ceil(((i + 1) * size) / cells)];
}

export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  expectRank('adaptiveAvgPool2d', 'x', x, 4, 'N, C, H, W');
  const [oh, ow] = pair(outputSize, 1, 'adaptiveAvgPool2d: outputSize');
  if (![oh, ow].every((v) => Number.isInteger(v) && v >= 1)) {
    throw new RangeError(`adaptiveAvgPool2d: outputSize must be whole numbers >= 1, got ${JSON.stringify(outputSize)}`);
  }
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (h % oh === 0 && w % ow === 0) return pool2d('avg', x, [h / oh, w / ow]);
  if (oh > h || ow > w) throw new RangeError(`adaptiveAvgPool2d: outputSize [${oh}, ${ow}] is larger than the input's ${h}x${w}`);
  const rows = Array.from({ length: oh }, (_, i) => windowOf(i, h, oh));
  const cols = Array.from({ length: ow }, (_, j) => windowOf(j, w, ow));
  const planes = n * c;
  const y = outputBuffer(planes * oh * ow);
  const xd = x.data;
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < oh; i++) {
      const [r0, r1] = rows[i]!;
      for (let j = 0; j < ow; j++) {
        const [c0, c1] = cols[j]!;
        let sum = 0;
        for (let r = r0; r < r1; r++) for (let q = c0; q < c1; q++) sum += xd[(p * h + r) * w + q]!;
        y[(p * oh + i) * ow + j] = sum / ((r1 - r0) * (c1 - c0));
      }
    }
  }
  return result('adaptiveAvgPool2d', y, [n, c, oh, ow], [x], (dy) => {
    const dx = outputBuffer(x.size);
    dx.fill(0);
    for (let p = 0; p < planes; p++) {
      for (let i = 0; i < oh; i++) {
        const [r0, r1] = rows[i]!;
        for (let j = 0; j < ow; j++) {
          const [c0, c1] = cols[j]!;
          const g = dy[(p * oh + i) * ow + j]! / ((r1 - r0) * (c1 - c0));
          for (let r = r0; r < r1; r++) for (let q = c0; q < c1; q++) dx[(p * h + r) * w + q]! += g;
        }
      }
    }
    return [dx];
  });
}
