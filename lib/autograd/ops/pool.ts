// Max and average pooling (the kernels also do sum pooling).
import { backend } from '../../backend';
import { resolveGeometry } from '../../backend/geometry';
import { MAX_POOL_ARGMAX_CELLS, type Pool2dShape, type PoolMode } from '../../backend/types';
import { Tensor } from '../../tensor/tensor';
import { keptBytes, outputBuffer } from '../../tensor/buffer-pool';
import { expectRank, result } from '../result';
import { pair, type Pair } from './pair';

export interface Pool2dOptions {
  /** Defaults to the kernel size. */
  stride?: Pair;
  padding?: Pair;
  ceilMode?: boolean;
  /** avg only (default true, as PyTorch). */
  countIncludePad?: boolean;
}

export function pool2d(mode: PoolMode, x: Tensor, kernel: Pair, options: Pool2dOptions = {}): Tensor {
  const op = `${mode}Pool2d`;
  expectRank(op, 'x', x, 4, 'N, C, H, W');
  const [kh, kw] = pair(kernel, 1, `${op}: kernel`);
  const [strideH, strideW] = pair(options.stride, NaN, `${op}: stride`);
  const [padH, padW] = pair(options.padding, 0, `${op}: padding`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const s: Pool2dShape = {
    mode, n, c, h, w, kh, kw, strideH: Number.isNaN(strideH) ? kh : strideH, strideW: Number.isNaN(strideW) ? kw : strideW,
    padH, padW, ceilMode: options.ceilMode ?? false, countIncludePad: options.countIncludePad ?? true,
  };
  // Every option against the kernel's contract (a window or stride of 0) before anything is allocated.
  const { ho, wo } = resolveGeometry('pool2d', op, s);
  const b = backend();
  const y = outputBuffer(Math.max(0, n * c * ho * wo));
  if (keepsWinners(s)) {
    // From the step's buffer pool, like y: no allocation per batch.
    const winners = keptBytes(y.length);
    b.pool2dForward(s, x.data, y, winners);
    return result(op, y, [n, c, ho, wo], [x], (dy) => {
      const dx = outputBuffer(x.size);
      b.pool2dBackwardFromArgmax(s, winners, dy, dx);
      return [dx];
    });
  }
  b.pool2dForward(s, x.data, y);
  return result(op, y, [n, c, ho, wo], [x], (dy) => {
    const dx = outputBuffer(x.size);
    b.pool2dBackward(s, x.data, dy, dx);
    return [dx];
  });
}

/**
 * Max pooling keeps each window's winner (a byte per output) when windows
 * overlap: the backward pass then reads those bytes and dy instead of x,
 * and does not work the winners out again (3x3 stride 2 on the bench's
 * (16,64,112,112): forward + backward 22 -> 26.5 GB/s on 2 threads). Where
 * windows do not overlap (2x2 stride 2), recomputing from x reads no more
 * than the forward pass did, and its loops are faster than the general
 * forward-with-winners one.
 */
export function keepsWinners(s: Pool2dShape): boolean {
  return s.mode === 'max' && s.kh * s.kw <= MAX_POOL_ARGMAX_CELLS && ((s.strideH ?? s.kh) < s.kh || (s.strideW ?? s.kw) < s.kw);
}

export const maxPool2d = (x: Tensor, kernel: Pair, options?: Pool2dOptions) => pool2d('max', x, kernel, options);
export const avgPool2d = (x: Tensor, kernel: Pair, options?: Pool2dOptions) => pool2d('avg', x, kernel, options);
