// conv2d: y = x * w + b, NCHW, with the three backward kernels.
import { backend } from '../../backend';
import { resolveGeometry } from '../../backend/geometry';
import type { Conv2dShape } from '../../backend/types';
import { Tensor } from '../../tensor/tensor';
import { outputBuffer } from '../../tensor/buffer-pool';
import { expectRank, result } from '../result';
import { pair, type Pair } from './pair';

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}

export function conv2dShape(x: Tensor, w: Tensor, o: Conv2dOptions): Conv2dShape & { ho: number; wo: number } {
  expectRank('conv2d', 'x', x, 4, 'N, C, H, W');
  expectRank('conv2d', 'weight', w, 4, 'K, C/groups, kh, kw');
  const [strideH, strideW] = pair(o.stride, 1, 'conv2d: stride');
  const [padH, padW] = pair(o.padding, 0, 'conv2d: padding');
  const [dilationH, dilationW] = pair(o.dilation, 1, 'conv2d: dilation');
  const groups = o.groups ?? 1;
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [k, cg, kh, kw] = w.shape as [number, number, number, number];
  // One object literal with every field, ho and wo filled in below: a spread of the 14 fields with two
  // added made an object V8 keeps as a dictionary, 3.5 us to build (two thirds of LeNet's per-call
  // overhead at batch 1) and slow for every kernel that reads it. Its c is the weight's, so that every
  // option meets the kernel's contract first (a stride of 0, groups of 0), then the tensors each other.
  const s = { n, c: cg * groups, h, w: wd, k, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, groups, ho: 0, wo: 0 };
  const g = resolveGeometry('conv2d', 'conv2d', s);
  if (cg * groups !== c) {
    throw new RangeError(`conv2d: weight expects ${cg * groups} input channels (${cg} per group x ${groups} groups), x has ${c}`);
  }
  s.ho = g.ho;
  s.wo = g.wo;
  return s;
}

export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const s = conv2dShape(x, weight, options);
  const b = backend();
  const { ho, wo } = s;
  const y = outputBuffer(s.n * s.k * ho * wo);
  b.conv2dForward(s, x.data, weight.data, bias?.data ?? null, y);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return result('conv2d', y, [s.n, s.k, ho, wo], inputs, (dy) => {
    const dx = x.requiresGrad ? outputBuffer(x.size) : null;
    if (dx) b.conv2dBackwardData(s, dy, weight.data, dx);
    const dw = weight.requiresGrad ? outputBuffer(weight.size) : null;
    if (dw) b.conv2dBackwardWeight(s, x.data, dy, dw);
    const db = bias?.requiresGrad ? outputBuffer(bias.size) : null;
    if (db) b.conv2dBackwardBias(s, dy, db);
    return [dx, dw, db];
  });
}
