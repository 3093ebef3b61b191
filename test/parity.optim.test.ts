// Learning-rate schedules against PyTorch 1.13 (values from
// scripts/pytorch-parity.py): a base lr per parameter group, and
// CosineAnnealingLR following the cosine past T_max.
import { describe, expect, it } from 'vitest';
import { SGD } from '../lib/optim/sgd';
import { CosineAnnealingLR, StepLR, type LrScheduler } from '../lib/optim/schedulers';
import { Tensor } from '../lib/tensor/tensor';
import { parity } from './parity.helpers';

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
