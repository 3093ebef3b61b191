// Buffer reuse across training steps: a pool that fills every returned
// buffer with NaN must give bit-identical training to fresh arrays (so no op
// reads an output before writing it), steady state allocates nothing, and a
// tensor kept from inside a step fails loudly instead of showing recycled data.
import { describe, expect, it } from 'vitest';
import { backend, useBackend } from '../lib/backend';
import * as ops from '../lib/autograd/ops';
import { smallResNet } from '../lib/models';
import { Module } from '../lib/nn/module';
import { AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, HardTanh, LeakyReLU, Linear, MaxPool2d, PReLU, ReLU, Sigmoid, Tanh } from '../lib/nn/layers';
import { Sequential } from '../lib/nn/sequential';
import { Adam } from '../lib/optim/adam';
import { SGD } from '../lib/optim/sgd';
import { BufferPool, withBufferPool } from '../lib/tensor/buffer-pool';
import { manualSeed, Rng } from '../lib/tensor/random';
import { Tensor } from '../lib/tensor/tensor';
import type { TrainSetup } from '../lib/train/setup';
import { evaluate, trainStep } from '../lib/train/step';
import { Dataset } from '../lib/data/dataset';

// Every layer kind that allocates in forward or backward.
function everyLayerModel(): Sequential {
  return new Sequential(
    new Conv2d(2, 4, 3, { padding: 1 }), new BatchNorm2d(4), new PReLU(4), new MaxPool2d(2),
    new Conv2d(4, 6, 3, { padding: 1, stride: 2 }), new LeakyReLU(0.1), new AvgPool2d(3, { stride: 1, padding: 1 }),
    new MaxPool2d(3, { stride: 1, padding: 1 }), // overlapping: keeps its winners in pooled bytes
    new Tanh(), new Flatten(), new Dropout(0.25), new Linear(6 * 3 * 3, 12), new Sigmoid(), new Linear(12, 8), new HardTanh(-2, 2),
    new Linear(8, 5), new ReLU(), new Linear(5, 3),
  );
}

function batch(n: number, c: number, h: number, classes: number, seed: number): { x: Tensor; y: Int32Array } {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: n * c * h * h }, () => rng.uniform(-1, 1));
  return { x: new Tensor(x, [n, c, h, h]), y: Int32Array.from({ length: n }, (_, i) => i % classes) };
}

function train(build: () => Module, adam: boolean, pool: BufferPool | null, input: { x: Tensor; y: Int32Array }, steps: number) {
  manualSeed(7);
  const model = build();
  const setup: TrainSetup = {
    model,
    optimizer: adam ? new Adam(model.parameters(), { lr: 1e-2 }) : new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }),
    bufferPool: pool,
  };
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push(trainStep(setup, input.x, input.y).loss);
  const data = new Dataset(input.x.data, input.y, input.x.shape.slice(1) as [number, number, number], Math.max(...input.y) + 1);
  const evaluation = evaluate(setup, data, 5);
  return { losses, evaluation, weights: model.parameters().map((p) => Array.from(p.data)) };
}

describe.each(['native', 'js'] as const)('buffer pool (%s backend)', (name) => {
  const withBackend = <T>(fn: () => T): T => {
    const before = backend().name;
    useBackend(name);
    try { return fn(); } finally { useBackend(before); }
  };

  it('trains bit-identically to fresh arrays when every recycled buffer is NaN-poisoned', () => withBackend(() => {
    for (const [build, input, adam] of [
      [everyLayerModel, batch(6, 2, 12, 3, 1), true],
      [smallResNet, batch(4, 1, 28, 10, 2), false],
    ] as const) {
      const fresh = train(build, adam, null, input, 4);
      const poisoned = new BufferPool({ poison: true });
      const pooled = train(build, adam, poisoned, input, 4);
      expect(fresh.losses.every(Number.isFinite)).toBe(true);
      expect(pooled.losses).toEqual(fresh.losses);
      expect(pooled.evaluation).toEqual(fresh.evaluation);
      expect(pooled.weights).toEqual(fresh.weights);
      expect(poisoned.stats().reused).toBeGreaterThan(0);
    }
  }));

  it('allocates nothing new once the first step has filled the pool', () => withBackend(() => {
    const pool = new BufferPool();
    const input = batch(6, 2, 12, 3, 3);
    manualSeed(1);
    const model = everyLayerModel();
    const setup = { model, optimizer: new Adam(model.parameters(), { lr: 1e-3 }), bufferPool: pool };
    trainStep(setup, input.x, input.y);
    const afterFirst = pool.stats();
    expect(afterFirst.created).toBeGreaterThan(10);
    expect(afterFirst.freeBytes).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) trainStep(setup, input.x, input.y);
    const later = pool.stats();
    expect(later.created).toBe(afterFirst.created);
    expect(later.reused).toBe(5 * afterFirst.created);
    pool.clear();
    expect(pool.stats().freeBytes).toBe(0);
  }));
});

describe('parameter gradients in trainStep', () => {
  // A model with a parameter the forward pass never uses: its gradient
  // must stay null (as with a plain zeroGrad()), so the optimizer skips it.
  class WithUnused extends Module {
    readonly body = this.registerModule('body', new Sequential(new Flatten(), new Linear(8, 4), new ReLU(), new Linear(4, 2)));
    readonly unused = this.registerParameter('unused', new Tensor(new Float32Array([1, 2, 3]), [3], { requiresGrad: true }));
    forward(x: Tensor): Tensor {
      return this.body.forward(x);
    }
    spec() {
      return { type: 'WithUnused' };
    }
  }

  it('reuses the gradient arrays from step to step, and trains exactly as with fresh ones', () => {
    const { x, y } = batch(3, 2, 2, 2, 5);
    manualSeed(11);
    const model = new WithUnused();
    const setup = { model, optimizer: new Adam(model.parameters(), { lr: 1e-2 }) };
    trainStep(setup, x, y);
    const arrays = model.body.parameters().map((p) => p.grad!.data);
    for (let i = 0; i < 3; i++) trainStep(setup, x, y);
    model.body.parameters().forEach((p, i) => expect(p.grad!.data).toBe(arrays[i]));
    expect(model.unused.grad).toBeNull();

    // The same four steps written out with zeroGrad(), which drops the
    // arrays: a reused array that kept its old values would accumulate.
    manualSeed(11);
    const reference = new WithUnused();
    const optimizer = new Adam(reference.parameters(), { lr: 1e-2 });
    for (let i = 0; i < 4; i++) {
      optimizer.zeroGrad();
      ops.crossEntropy(reference.forward(x), y).backward();
      optimizer.step();
    }
    expect(model.parameters().map((p) => Array.from(p.data))).toEqual(reference.parameters().map((p) => Array.from(p.data)));
    expect(Array.from(model.unused.data)).toEqual([1, 2, 3]);
  });
});

describe('tensors from a finished step', () => {
  it('throw a clear error when read, instead of showing the next step\'s numbers', () => {
    class KeepsActivation extends Module {
      kept: Tensor | null = null;
      detached: Tensor | null = null;
      copied: Tensor | null = null;
      forward(x: Tensor): Tensor {
        const y = ops.relu(x);
        this.kept = y;
        this.detached = y.detach();
        this.copied = y.clone();
        return y;
      }
      spec() {
        return { type: 'KeepsActivation' };
      }
    }
    manualSeed(3);
    const spy = new KeepsActivation();
    const model = new Sequential(new Flatten(), new Linear(8, 4), spy, new Linear(4, 2));
    const setup = { model, optimizer: new SGD(model.parameters(), { lr: 0.1 }) };
    const { x, y } = batch(3, 2, 2, 2, 4);
    trainStep(setup, x, y);
    expect(() => spy.kept!.data).toThrow(/recycled when the training step that computed it ended; clone\(\) it/);
    expect(() => spy.detached!.data).toThrow(/recycled/);
    const firstCopy = spy.copied!, snapshot = Array.from(firstCopy.data);
    trainStep(setup, x, y);
    expect(spy.copied).not.toBe(firstCopy);
    expect(Array.from(spy.copied!.data)).not.toEqual(snapshot); // the weights moved, so the activation did
    expect(Array.from(firstCopy.data)).toEqual(snapshot); // clone() is not pooled: untouched by step 2
  });

  it('a view built in a nested step of a buffer from the outer step is recycled with the outer step', () => {
    const outerPool = new BufferPool(), innerPool = new BufferPool();
    let view: Tensor | null = null;
    withBufferPool(outerPool, () => {
      const y = ops.relu(Tensor.from([-1, 2, -3, 4]));
      withBufferPool(innerPool, () => { view = y.detach(); });
      expect(Array.from(view!.data)).toEqual([0, 2, 0, 4]); // the outer step is still open
    });
    expect(() => view!.data).toThrow(/recycled/);
    expect(innerPool.stats()).toMatchObject({ created: 0, freeBytes: 0 });
    expect(outerPool.stats()).toMatchObject({ created: 1, freeBytes: 16 });
  });

  it("max pooling's kept winners come from the step's pool, and a backward pass after the step throws before reading them", () => {
    const pool = new BufferPool();
    const x = new Tensor(Float32Array.from({ length: 2 * 9 * 9 }, (_, i) => Math.sin(i)), [1, 2, 9, 9], { requiresGrad: true });
    let y: Tensor | null = null;
    // y (2x5x5 floats) and the winners (50 bytes, so 13 floats) both from the pool.
    withBufferPool(pool, () => { y = ops.maxPool2d(x, 3, { stride: 2, padding: 1 }); });
    expect(pool.stats()).toMatchObject({ created: 2, freeBytes: 4 * (50 + 13) });
    const grad = Tensor.full([1, 2, 5, 5], 1);
    expect(() => y!.backward(grad)).toThrow(/Tensor\(shape=\[1, 2, 5, 5\]\): its buffer was recycled/);
    // Inside the step the backward pass runs, and the next step reuses both buffers.
    withBufferPool(pool, () => {
      const z = ops.maxPool2d(x, 3, { stride: 2, padding: 1 });
      z.backward(Tensor.full(z.shape, 1));
    });
    expect(pool.stats().created).toBe(2 + 1); // + dx
    expect(x.grad!.data.reduce((a, v) => a + v, 0)).toBe(50); // every window's 1 lands on its winner
  });

  it('outside a step, op outputs are ordinary arrays that stay valid', () => {
    const pool = new BufferPool();
    const a = withBufferPool(pool, () => ops.relu(Tensor.from([-1, 2, -3, 4])).clone());
    const b = ops.relu(Tensor.from([-1, 2, -3, 4]));
    withBufferPool(pool, () => ops.relu(Tensor.from([5, 6, 7, 8])));
    expect(Array.from(a.data)).toEqual([0, 2, 0, 4]);
    expect(Array.from(b.data)).toEqual([0, 2, 0, 4]);
    expect(pool.stats()).toMatchObject({ created: 1, reused: 1 });
  });
});
