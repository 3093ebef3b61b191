import { backend } from '../backend';
import { Optimizer, type UpdateBatch } from './optimizer';

export interface RmspropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  /** Divide by an estimate of the gradient's variance (its mean square less its squared mean). */
  centered: boolean;
}

/** RMSprop, torch.optim.RMSprop semantics, through the fused rmspropUpdateMany kernel (one call per step for all parameters). */
export class RMSprop extends Optimizer<RmspropOptions> {
  constructor(params: ConstructorParameters<typeof Optimizer<RmspropOptions>>[0], options: Partial<RmspropOptions> = {}) {
    super(params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false }, options);
  }

  protected buffersFor(o: RmspropOptions): readonly string[] {
    return ['squareAvg', ...(o.momentum > 0 ? ['momentum'] : []), ...(o.centered ? ['gradAvg'] : [])];
  }

  protected validate(o: RmspropOptions): void {
    if (!(o.lr >= 0)) throw new RangeError(`RMSprop: lr must be >= 0, got ${o.lr}`);
    if (!(o.alpha >= 0 && o.alpha < 1)) throw new RangeError(`RMSprop: alpha must be in [0, 1), got ${o.alpha}`);
    if (!(o.eps >= 0)) throw new RangeError(`RMSprop: eps must be >= 0, got ${o.eps}`);
    if (!(o.momentum >= 0)) throw new RangeError(`RMSprop: momentum must be >= 0, got ${o.momentum}`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`RMSprop: weightDecay must be >= 0, got ${o.weightDecay}`);
  }

  protected update({ options: o, params, grads, states }: UpdateBatch<RmspropOptions>): void {
    const buffers = (name: string) => states.map((s) => s.buffers[name]!);
    backend().rmspropUpdateMany(o, params, grads, buffers('squareAvg'),
      o.momentum > 0 ? buffers('momentum') : null, o.centered ? buffers('gradAvg') : null);
  }
}
