// Losses that end a graph: cross-entropy from logits and squared error.
import { backend } from '../../backend';
import { Tensor } from '../../tensor/tensor';
import { outputBuffer } from '../../tensor/buffer-pool';
import { checkOptionKeys } from '../../util/options';
import { expectRank, result } from '../result';

export interface CrossEntropyOptions {
  /** A weight per class (length C), as PyTorch's `weight`. */
  weight?: Tensor | Float32Array | readonly number[];
  /** In [0, 1): the target mixed with the uniform distribution, as PyTorch's `label_smoothing`. */
  labelSmoothing?: number;
  /** Class-index targets only: rows with this label add nothing (PyTorch's default -100). */
  ignoreIndex?: number;
  /** 'mean' (default), 'sum', or 'none' (one loss per row). */
  reduction?: 'mean' | 'sum' | 'none';
}

const CROSS_ENTROPY_OPTIONS = ['weight', 'labelSmoothing', 'ignoreIndex', 'reduction'] as const;

/** Class indices, checked: integers in [0, classes) (or the ignored index); never truncated. */
function classLabels(target: Int32Array | readonly number[], rows: number, cols: number, ignoreIndex: number): Int32Array {
  if (target.length !== rows) throw new RangeError(`crossEntropy: target has ${target.length} labels, logits ${rows} rows`);
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = target[i]!;
    if (!(Number.isInteger(v) && ((v >= 0 && v < cols) || v === ignoreIndex)))
      throw new RangeError(`crossEntropy: target[${i}] must be a class index, an integer in [0, ${cols}), got ${v}`);
    labels[i] = v;
  }
  return labels;
}

/**
 * What each row's loss weighs each class by, as one distribution-shaped
 * target q: the row's loss is sum_c q_c (lse - z_c), whose gradient the
 * fused kernel computes (p * sum(q) - q). With class indices, weight w and
 * smoothing e: q_c = (1 - e) w_y [c = y] + e/C w_c, and the mean divides by
 * the sum of w_y over the rows not ignored (PyTorch's rule). With
 * distributions: q_c = w_c ((1 - e) t_c + e/C), and the mean divides by N.
 */
function weightedTargets(target: Int32Array | Float32Array, rows: number, cols: number, w: Float32Array | null, e: number, ignoreIndex: number) {
  const q = new Float32Array(rows * cols);
  let denominator = 0;
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    if (target instanceof Int32Array) {
      const y = target[r]!;
      if (y === ignoreIndex) continue;
      const wy = w === null ? 1 : w[y]!;
      denominator += wy;
      for (let c = 0; c < cols; c++) q[off + c] = (e / cols) * (w === null ? 1 : w[c]!);
      q[off + y]! += (1 - e) * wy;
    } else {
      denominator += 1;
      for (let c = 0; c < cols; c++) q[off + c] = (w === null ? 1 : w[c]!) * ((1 - e) * target[off + c]! + e / cols);
    }
  }
  return { q, denominator };
}

/**
 * Cross-entropy of softmax(logits) against class indices (Int32Array or
 * number[]) or against distributions ([N, C] tensor), with PyTorch's
 * options and semantics (F.cross_entropy): weight, labelSmoothing,
 * ignoreIndex, reduction.
 */
export function crossEntropy(logits: Tensor, target: Int32Array | readonly number[] | Tensor, options: CrossEntropyOptions = {}): Tensor {
  checkOptionKeys('crossEntropy', options, CROSS_ENTROPY_OPTIONS);
  expectRank('crossEntropy', 'logits', logits, 2, 'N, classes');
  const [rows, cols] = logits.shape as [number, number];
  const reduction = options.reduction ?? 'mean';
  if (!['mean', 'sum', 'none'].includes(reduction)) throw new RangeError(`crossEntropy: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
  const e = options.labelSmoothing ?? 0;
  if (!(typeof e === 'number' && e >= 0 && e < 1)) throw new RangeError(`crossEntropy: labelSmoothing must be a number in [0, 1), got ${String(e)}`);
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) throw new RangeError(`crossEntropy: ignoreIndex must be an integer, got ${String(ignoreIndex)}`);
  let w: Float32Array | null = null;
  if (options.weight !== undefined) {
    w = options.weight instanceof Tensor ? options.weight.data : Float32Array.from(options.weight);
    if (w.length !== cols) throw new RangeError(`crossEntropy: weight must have one entry per class (${cols}), got ${w.length}`);
  }
  let t: Int32Array | Float32Array;
  if (target instanceof Tensor) {
    if (target.size !== logits.size) throw new RangeError(`crossEntropy: target has shape [${target.shape.join(', ')}], logits [${rows}, ${cols}]`);
    t = target.data;
  } else {
    t = classLabels(target, rows, cols, ignoreIndex);
  }
  const b = backend();
  const probs = outputBuffer(logits.size);
  const plain = w === null && e === 0 && reduction === 'mean' && !(t instanceof Int32Array && t.includes(ignoreIndex));
  if (plain) {
    // The common case: the kernel's mean over rows, its own gradient.
    const loss = b.softmaxCrossEntropyForward({ rows, cols }, logits.data, t, probs);
    return result('crossEntropy', new Float32Array([loss]), [], [logits], (dy) => {
      const d = outputBuffer(logits.size);
      b.softmaxCrossEntropyBackward({ rows, cols }, probs, t, dy[0]! / rows, d);
      return [d];
    });
  }
  const { q, denominator } = weightedTargets(t, rows, cols, w, e, ignoreIndex);
  const total = b.softmaxCrossEntropyForward({ rows, cols }, logits.data, q, probs) * rows;
  if (reduction !== 'none') {
    const k = reduction === 'mean' ? 1 / denominator : 1;
    return result('crossEntropy', new Float32Array([total * k]), [], [logits], (dy) => {
      const d = outputBuffer(logits.size);
      b.softmaxCrossEntropyBackward({ rows, cols }, probs, q, dy[0]! * k, d);
      return [d];
    });
  }
  // One loss per row, each row's gradient scaled by its own dy (q scaled row by row).
  const losses = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    let mx = -Infinity;
    for (let c = 0; c < cols; c++) mx = Math.max(mx, logits.data[off + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(logits.data[off + c]! - mx);
    const lse = mx + Math.log(sum);
    let l = 0;
    for (let c = 0; c < cols; c++) if (q[off + c] !== 0) l += q[off + c]! * (lse - logits.data[off + c]!);
    losses[r] = l;
  }
  return result('crossEntropy', losses, [rows], [logits], (dy) => {
    const scaled = new Float32Array(q.length);
    for (let i = 0; i < q.length; i++) scaled[i] = q[i]! * dy[Math.floor(i / cols)]!;
    const d = outputBuffer(logits.size);
    b.softmaxCrossEntropyBackward({ rows, cols }, probs, scaled, 1, d);
    return [d];
  });
}

/** 'mean' (PyTorch's default), 'sum', or 'halfSum' (the articles' sum of 1/2 (t - o)^2). */
export type MseReduction = 'mean' | 'sum' | 'halfSum';

export function mseLoss(pred: Tensor, target: Tensor, reduction: MseReduction = 'mean'): Tensor {
  if (target.size !== pred.size) throw new RangeError(`mseLoss: target has ${target.size} elements, pred ${pred.size}`);
  const k = reduction === 'mean' ? 1 / pred.size : reduction === 'sum' ? 1 : reduction === 'halfSum' ? 0.5 : NaN;
  if (Number.isNaN(k)) throw new RangeError(`mseLoss: reduction must be 'mean', 'sum' or 'halfSum', got ${JSON.stringify(reduction)}`);
  const b = backend();
  const value = b.mseForward(pred.data, target.data) * k;
  return result('mseLoss', new Float32Array([value]), [], [pred, target], (dy) => {
    const dp = outputBuffer(pred.size);
    b.mseBackward(pred.data, target.data, k * dy[0]!, dp);
    if (!target.requiresGrad) return [dp, null];
    const dt = outputBuffer(dp.length);
    for (let i = 0; i < dt.length; i++) dt[i] = -dp[i]!;
    return [dp, dt];
  });
}

