// Cross-entropy against PyTorch 1.13 (values from scripts/pytorch-parity.py),
// on every backend: soft targets whose rows do not sum to 1 (the gradient
// is p * sum(t) - t), and the backward pass in place (dlogits = probs).
import { describe, expect, it } from 'vitest';
import { useBackend } from '../lib/backend';
import type { Backend } from '../lib/backend/types';
import { crossEntropy } from '../lib/autograd/ops/loss';
import { Tensor } from '../lib/tensor/tensor';
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

interface CrossEntropyCases {
  logits: number[];
  soft: number[];
  cases: Array<{
    labels: number[] | null; soft: boolean; weight: number[] | null; labelSmoothing: number; reduction: 'mean' | 'sum' | 'none';
    upstream: number[]; loss: number[]; dlogits: number[];
  }>;
}
const ce = parity<CrossEntropyCases>('cross-entropy');

describe.each(BACKENDS)('crossEntropy options against PyTorch F.cross_entropy ($name backend)', (b: Backend) => {
  it('weight, labelSmoothing, ignoreIndex and every reduction, with class indices and with distributions', () => {
    useBackend(b.name);
    try {
      for (const c of ce.cases) {
        const what = JSON.stringify({ labels: c.labels, soft: c.soft, weight: c.weight !== null, e: c.labelSmoothing, reduction: c.reduction });
        const logits = new Tensor(f32(ce.logits), [4, 3], { requiresGrad: true });
        const target = c.soft ? new Tensor(f32(ce.soft), [4, 3]) : c.labels!;
        const loss = crossEntropy(logits, target, {
          ...(c.weight !== null ? { weight: c.weight } : {}), labelSmoothing: c.labelSmoothing, reduction: c.reduction,
        });
        expectCloseRel(loss.data, f32(c.loss), 2e-6, `${what} loss`);
        loss.backward(c.reduction === 'none' ? new Tensor(f32(c.upstream), [4]) : undefined);
        expectCloseRel(logits.grad!.data, f32(c.dlogits), 2e-6, `${what} dlogits`);
      }
    } finally {
      useBackend(BACKENDS[0]!.name);
    }
  });

  it('labels that are not integers in range are an error, not truncated', () => {
    const logits = new Tensor(f32([0, 0, 0, 0, 0, 0]), [2, 3]);
    expect(() => crossEntropy(logits, [0, 1.5])).toThrow('crossEntropy: target[1] must be a class index, an integer in [0, 3), got 1.5');
    expect(() => crossEntropy(logits, [0, 3])).toThrow('crossEntropy: target[1] must be a class index, an integer in [0, 3), got 3');
    expect(() => crossEntropy(logits, [NaN, 0])).toThrow('crossEntropy: target[0] must be a class index, an integer in [0, 3), got NaN');
    expect(() => crossEntropy(logits, [0, 1], { labelSmooting: 0.1 } as never)).toThrow("crossEntropy: unknown option 'labelSmooting'");
    expect(() => crossEntropy(logits, [0, 1], { weight: [1, 2] })).toThrow('crossEntropy: weight must have one entry per class (3), got 2');
  });
});
