// Classification metrics from logits (or probabilities) and integer labels.
import type { Tensor } from '../tensor/tensor';

/** Index of the largest value in each row of an [N, C] tensor. */
export function argmaxRows(t: Tensor): Int32Array {
  const [n, c] = t.shape as [number, number];
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (t.data[i * c + j]! > t.data[i * c + best]!) best = j;
    out[i] = best;
  }
  return out;
}

export function countCorrect(logits: Tensor, labels: ArrayLike<number>): number {
  const pred = argmaxRows(logits);
  let ok = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) ok++;
  return ok;
}

/** Fraction of rows whose largest value is at the label. */
export function accuracy(logits: Tensor, labels: ArrayLike<number>): number {
  return countCorrect(logits, labels) / logits.shape[0]!;
}

/** 1 - accuracy: the articles' classification error. */
export function classificationError(logits: Tensor, labels: ArrayLike<number>): number {
  return 1 - accuracy(logits, labels);
}
