// Losses that end a graph: cross-entropy from logits and squared error.
import { backend } from '../../backend';
import { Tensor } from '../../tensor/tensor';
import { outputBuffer } from '../../tensor/buffer-pool';
import { expectRank, result } from '../result';

/**
 * Mean cross-entropy of softmax(logits) against integer class labels
 * (Int32Array or number[]) or against one-hot / soft targets ([N, C] tensor).
 */
export function crossEntropy(logits: Tensor, target: Int32Array | readonly number[] | Tensor): Tensor {
  expectRank('crossEntropy', 'logits', logits, 2, 'N, classes');
  const [rows, cols] = logits.shape as [number, number];
  let t: Int32Array | Float32Array;
  if (target instanceof Tensor) {
    if (target.size !== logits.size) throw new RangeError(`crossEntropy: target has shape [${target.shape.join(', ')}], logits [${rows}, ${cols}]`);
    t = target.data;
  } else {
    t = target instanceof Int32Array ? target : Int32Array.from(target);
  }
  const b = backend();
  const probs = outputBuffer(logits.size);
  const loss = b.softmaxCrossEntropyForward({ rows, cols }, logits.data, t, probs);
  return result('crossEntropy', new Float32Array([loss]), [], [logits], (dy) => {
    const d = outputBuffer(logits.size);
    b.softmaxCrossEntropyBackward({ rows, cols }, probs, t, dy[0]! / rows, d);
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

