import { backend } from '../backend';
import { Optimizer, type UpdateBatch } from './optimizer';

export interface SgdOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

/** Stochastic gradient descent, torch.optim.SGD semantics, through the fused sgdUpdateMany kernel (one call per step for all parameters). */
export class SGD extends Optimizer<SgdOptions> {
  constructor(params: ConstructorParameters<typeof Optimizer<SgdOptions>>[0], options: Partial<SgdOptions> & { lr: number }) {
    super(params, { lr: undefined, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false }, options);
  }

  protected buffersFor(o: SgdOptions): readonly string[] {
    return o.momentum === 0 ? [] : ['momentum'];
  }

  protected validate(o: SgdOptions): void {
    if (!(o.lr >= 0)) throw new RangeError(`SGD: lr must be >= 0, got ${o.lr}`);
    if (!(o.momentum >= 0)) throw new RangeError(`SGD: momentum must be >= 0, got ${o.momentum}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new RangeError('SGD: nesterov needs momentum > 0 and dampening = 0');
  }

  protected update({ options: o, step, params, grads, states }: UpdateBatch<SgdOptions>): void {
    backend().sgdUpdateMany({ ...o, step }, params, grads, o.momentum === 0 ? null : states.map((s) => s.buffers['momentum']!));
  }
}
