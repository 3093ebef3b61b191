// Learning-rate schedules, stepped once per epoch (PyTorch's StepLR and
// CosineAnnealingLR); their state is the epoch count, saved in checkpoints.
import type { Optimizer } from './optimizer';

export abstract class LrScheduler {
  epoch = 0;
  readonly baseLr: number;

  constructor(protected readonly optimizer: Optimizer<{ lr: number }>) {
    this.baseLr = optimizer.paramGroups[0]!.options.lr;
  }

  abstract lrAt(epoch: number): number;

  step(): void {
    this.epoch += 1;
    this.optimizer.setLr(this.lrAt(this.epoch));
  }

  get lr(): number {
    return this.lrAt(this.epoch);
  }
}

export class StepLR extends LrScheduler {
  constructor(optimizer: Optimizer<{ lr: number }>, readonly stepSize: number, readonly gamma = 0.1) {
    super(optimizer);
    if (!(Number.isInteger(stepSize) && stepSize >= 1)) throw new RangeError(`StepLR: stepSize must be a positive integer, got ${stepSize}`);
  }
  lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

export class CosineAnnealingLR extends LrScheduler {
  constructor(optimizer: Optimizer<{ lr: number }>, readonly tMax: number, readonly etaMin = 0) {
    super(optimizer);
    if (!(tMax > 0)) throw new RangeError(`CosineAnnealingLR: tMax must be > 0, got ${tMax}`);
  }
  lrAt(epoch: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * Math.min(epoch, this.tMax)) / this.tMax))) / 2;
  }
}
