// Cross-entropy against PyTorch 1.13 (values from scripts/pytorch-parity.py),
// on every backend: soft targets whose rows do not sum to 1 (the gradient
// is p * sum(t) - t), and the backward pass in place (dlogits = probs).
import { describe, expect, it } from 'vitest';
import type { Backend } from '../lib/backend/types';
import { BACKENDS, expectCloseRel } from './helpers';
import { f32, parity } from './parity.helpers';

interface Losses {
  soft: { rows: number; cols: number; logits: number[]; target: number[]; loss: number; dlogits: number[] };
  inPlace: { probs: number[]; label: number; scale: number; dlogits: number[] };
}
const ref = parity<Losses>('losses');

describe.each(BACKENDS)('cross-entropy against PyTorch ($name backend)', (b: Backend) => {
  it('soft targets, rows summing to 1, 0.6 and 1.5: loss and gradient', () => {
    const { rows, cols } = ref.soft;
    const probs = new Float32Array(rows * cols), dlogits = new Float32Array(rows * cols);
    const loss = b.softmaxCrossEntropyForward({ rows, cols }, f32(ref.soft.logits), f32(ref.soft.target), probs);
    expect(loss).toBeCloseTo(ref.soft.loss, 6);
    b.softmaxCrossEntropyBackward({ rows, cols }, probs, f32(ref.soft.target), 1 / rows, dlogits);
    expectCloseRel(dlogits, f32(ref.soft.dlogits), 1e-6, 'dlogits');
  });

  it('in place: dlogits written over probs', () => {
    const p = f32(ref.inPlace.probs);
    b.softmaxCrossEntropyBackward({ rows: 1, cols: 2 }, p, new Int32Array([ref.inPlace.label]), ref.inPlace.scale, p);
    expect(Array.from(p)).toEqual(ref.inPlace.dlogits);
  });
});
