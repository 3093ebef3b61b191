// Learning-rate schedules, stepped once per epoch (PyTorch's StepLR and
// CosineAnnealingLR). As in PyTorch, each parameter group keeps its own
// base learning rate (its lr when the scheduler was made) and the schedule
// scales each one: groups at 0.1 and 0.02 stay 5x apart. The state is the
// epoch count, saved in checkpoints.
import type { Optimizer } from './optimizer';

export abstract class LrScheduler {
  epoch = 0;
  /** Each parameter group's lr when the scheduler was made. */
  readonly baseLrs: readonly number[];

  constructor(protected readonly optimizer: Optimizer<{ lr: number }>) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.options.lr);
  }

  /** The lr a group with base lr `baseLr` has at `epoch`. */
  abstract lrAt(baseLr: number, epoch: number): number;

  step(): void {
    this.epoch += 1;
    this.apply();
  }

  /** Sets every group's lr to its value at the current epoch (after restoring `epoch`). */
  apply(): void {
    this.lrs.forEach((lr, i) => { this.optimizer.paramGroups[i]!.options.lr = lr; });
  }

  /** Every group's lr at the current epoch. */
  get lrs(): number[] {
    return this.baseLrs.map((base) => this.lrAt(base, this.epoch));
  }
}

export class StepLR extends LrScheduler {
  constructor(optimizer: Optimizer<{ lr: number }>, readonly stepSize: number, readonly gamma = 0.1) {
    super(optimizer);
    if (!(Number.isInteger(stepSize) && stepSize >= 1)) throw new RangeError(`StepLR: stepSize must be a positive integer, got ${stepSize}`);
  }
  lrAt(baseLr: number, epoch: number): number {
    return baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/**
 * PyTorch's closed form: past tMax the lr keeps following the cosine, back
 * up to the base lr at 2 tMax (a period of 2 tMax), as torch.optim does.
 */
export class CosineAnnealingLR extends LrScheduler {
  constructor(optimizer: Optimizer<{ lr: number }>, readonly tMax: number, readonly etaMin = 0) {
    super(optimizer);
    if (!(tMax > 0)) throw new RangeError(`CosineAnnealingLR: tMax must be > 0, got ${tMax}`);
  }
  lrAt(baseLr: number, epoch: number): number {
    return this.etaMin + ((baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}
