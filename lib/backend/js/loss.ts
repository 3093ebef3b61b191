// Fused softmax cross-entropy and squared error in TypeScript, mirroring
// native/kernels/loss.
import type { ResolvedRows } from '../geometry';
import type { ClassTarget } from '../types';

export function softmaxCrossEntropyForward({ rows, cols }: ResolvedRows, logits: Float32Array, t: ClassTarget, probs: Float32Array): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    let mx = logits[off]!;
    for (let j = 1; j < cols; j++) mx = Math.max(mx, logits[off + j]!);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(logits[off + j]! - mx);
    const lse = mx + Math.log(sum);
    for (let j = 0; j < cols; j++) probs[off + j] = Math.exp(logits[off + j]! - lse);
    if (t instanceof Int32Array) {
      total += lse - logits[off + t[r]!]!;
    } else {
      for (let j = 0; j < cols; j++) if (t[off + j] !== 0) total += t[off + j]! * (lse - logits[off + j]!);
    }
  }
  return total / rows;
}

export function softmaxCrossEntropyBackward({ rows, cols }: ResolvedRows, probs: Float32Array, t: ClassTarget, scale: number, dlogits: Float32Array): void {
  const k = Math.fround(scale);
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    if (t instanceof Int32Array) {
      const label = t[r]!;
      const pl = probs[off + label]!;
      for (let j = 0; j < cols; j++) dlogits[off + j] = k * probs[off + j]!;
      dlogits[off + label] = k * (pl - 1);
    } else {
      let mass = 0;
      for (let j = 0; j < cols; j++) mass += t[off + j]!;
      const m = Math.fround(mass);
      for (let j = 0; j < cols; j++) dlogits[off + j] = k * (probs[off + j]! * m - t[off + j]!);
    }
  }
}

export function mseForward(_: unknown, pred: Float32Array, target: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < pred.length; i++) {
    const d = pred[i]! - target[i]!;
    sum += d * d;
  }
  return sum;
}

export function mseBackward(_: unknown, pred: Float32Array, target: Float32Array, scale: number, dpred: Float32Array): void {
  const k = 2 * Math.fround(scale);
  for (let i = 0; i < pred.length; i++) dpred[i] = k * (pred[i]! - target[i]!);
}
