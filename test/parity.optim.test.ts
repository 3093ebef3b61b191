// Learning-rate schedules against PyTorch 1.13 (values from
// scripts/pytorch-parity.py): a base lr per parameter group, and
// CosineAnnealingLR following the cosine past T_max.
import { describe, expect, it } from 'vitest';
import { Adam, AdamW } from '../lib/optim/adam';
import type { Optimizer } from '../lib/optim/optimizer';
import { RMSprop } from '../lib/optim/rmsprop';
import { SGD } from '../lib/optim/sgd';
import { CosineAnnealingLR, StepLR, type LrScheduler } from '../lib/optim/schedulers';
import { Tensor } from '../lib/tensor/tensor';
import { Dataset } from '../lib/data/dataset';
import { Conv2d, Linear, MaxPool2d } from '../lib/nn/layers';
import { fitSync } from '../lib/train/fit';
import { useBackend } from '../lib/backend';
import { BACKENDS, expectCloseRel } from './helpers';
import { f32, parity } from './parity.helpers';

interface Schedules {
  groups: number[];
  stepLR: { stepSize: number; gamma: number; lrs: number[][] };
  cosine: { tMax: number; etaMin: number; lrs: number[][] };
}
const ref = parity<Schedules>('schedulers');

function run(make: (opt: SGD) => LrScheduler, epochs: number): number[][] {
  const params = ref.groups.map(() => Tensor.zeros([1], { requiresGrad: true }));
  const opt = new SGD(ref.groups.map((lr, i) => ({ params: [params[i]!], lr })), { lr: 1 });
  const scheduler = make(opt);
  const lrs: number[][] = [];
  for (let e = 0; e < epochs; e++) {
    lrs.push(opt.paramGroups.map((g) => g.options.lr));
    scheduler.step();
  }
  return lrs;
}

function expectLrs(got: number[][], want: number[][]): void {
  expect(got.length).toBe(want.length);
  got.forEach((row, e) => row.forEach((lr, g) => expect(lr, `epoch ${e}, group ${g}`).toBeCloseTo(want[e]![g]!, 12)));
}

describe('learning-rate schedules against PyTorch', () => {
  it('StepLR keeps a base lr per parameter group (0.1 and 0.02 stay 5x apart)', () => {
    expectLrs(run((o) => new StepLR(o, ref.stepLR.stepSize, ref.stepLR.gamma), ref.stepLR.lrs.length), ref.stepLR.lrs);
  });

  it('CosineAnnealingLR per group, and past T_max back up the cosine (period 2 T_max)', () => {
    const got = run((o) => new CosineAnnealingLR(o, ref.cosine.tMax, ref.cosine.etaMin), ref.cosine.lrs.length);
    expectLrs(got, ref.cosine.lrs);
    expect(got[8]![0]).toBeCloseTo(0.1, 12); // 2 T_max: back at the base lr
  });
});

interface Optimizers {
  p0: number[];
  grads: number[][];
  cases: Record<string, { options: Record<string, number | boolean>; params: number[][] }>;
}
const opt = parity<Optimizers>('optimizers');

/** PyTorch's keyword arguments as convnode's options. */
const OPTIMIZERS: Record<string, (p: Tensor[], o: Record<string, number | boolean>) => Optimizer<{ lr: number }>> = {
  'adam amsgrad': (p, o) => new Adam(p, { lr: o['lr'] as number, weightDecay: o['weight_decay'] as number, amsgrad: true }),
  'adamw amsgrad': (p, o) => new AdamW(p, { lr: o['lr'] as number, weightDecay: o['weight_decay'] as number, amsgrad: true }),
  rmsprop: (p, o) => new RMSprop(p, { lr: o['lr'] as number }),
  'rmsprop centered momentum': (p, o) => new RMSprop(p, {
    lr: o['lr'] as number, alpha: o['alpha'] as number, weightDecay: o['weight_decay'] as number, momentum: o['momentum'] as number, centered: true,
  }),
};

describe.each(BACKENDS)('optimizer updates against PyTorch ($name backend)', (b) => {
  for (const [name, ref] of Object.entries(opt.cases)) {
    it(`${name}: the parameters after each of 4 steps`, () => {
      useBackend(b.name);
      try {
        const p = new Tensor(f32(opt.p0), [opt.p0.length], { requiresGrad: true });
        const o = OPTIMIZERS[name]!([p], ref.options);
        ref.params.forEach((want, step) => {
          p.grad = new Tensor(f32(opt.grads[step]!), [opt.p0.length]);
          o.step();
          expectCloseRel(p.data, f32(want), 2e-6, `${name} step ${step + 1}`);
        });
      } finally {
        useBackend(BACKENDS[0]!.name);
      }
    });
  }
});

describe('optimizer options', () => {
  const params = [Tensor.zeros([2], { requiresGrad: true })];
  it('an unknown option is an error naming it and listing the valid ones, for the options and for each group', () => {
    expect(() => new RMSprop(params, { centred: true } as never)).toThrow("RMSprop: unknown option 'centred' (valid: lr, alpha, eps, weightDecay, momentum, centered)");
    expect(() => new Adam(params, { betas: [0.9, 0.99] } as never)).toThrow("Adam: unknown option 'betas' (valid: lr, beta1, beta2, eps, weightDecay, amsgrad)");
    expect(() => new SGD([{ params, lr: 0.1, mom: 0.9 } as never], { lr: 0.1 })).toThrow("SGD: unknown option 'mom' (valid: lr, momentum, dampening, weightDecay, nesterov)");
  });

  it('the same for layers and fit', () => {
    expect(() => new Conv2d(1, 2, 3, { pading: 1 } as never)).toThrow("Conv2d: unknown option 'pading' (valid: stride, padding, dilation, groups, bias, init, rng)");
    expect(() => new MaxPool2d(2, { strides: 2 } as never)).toThrow("MaxPool2d: unknown option 'strides' (valid: stride, padding, ceilMode)");
    expect(() => new Linear(2, 2, { biases: false } as never)).toThrow("Linear: unknown option 'biases' (valid: bias, init, rng)");
    const model = new Linear(2, 2);
    const setup = { model, optimizer: new SGD(model.parameters(), { lr: 0.1 }) };
    expect(() => fitSync(setup, new Dataset(new Float32Array(4), new Int32Array(2), [1, 1, 2], 2), { epochs: 1, epoch: 2 } as never))
      .toThrow(/^fitSync: unknown option 'epoch' \(valid: epochs, batchSize, /);
  });

  it('a value of the wrong type is an error, and lr is required for SGD', () => {
    expect(() => new SGD(params, { lr: '0.1' } as never)).toThrow(new TypeError('SGD: option \'lr\' must be a number, got string "0.1"'));
    expect(() => new Adam(params, { amsgrad: 1 } as never)).toThrow(new TypeError('Adam: option \'amsgrad\' must be a boolean, got number 1'));
    expect(() => new SGD(params, {} as never)).toThrow(new TypeError("SGD: option 'lr' is required (a number)"));
  });

  it('amsgrad and centered keep the state buffers PyTorch keeps, and checkpoint them', () => {
    const p = new Tensor(f32([1, 2]), [2], { requiresGrad: true });
    const o = new Adam([p], { amsgrad: true });
    p.grad = new Tensor(f32([0.5, -0.5]), [2]);
    o.step();
    expect(Object.keys(o.stateDict().buffers).sort()).toEqual(['0.expAvg', '0.expAvgSq', '0.maxExpAvgSq']);
    const r = new RMSprop([p], { centered: true, momentum: 0.5 });
    r.step();
    expect(Object.keys(r.stateDict().buffers).sort()).toEqual(['0.gradAvg', '0.momentum', '0.squareAvg']);
  });
});
