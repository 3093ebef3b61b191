import { backend } from '../backend';
import type { Tensor } from '../tensor/tensor';
import { Optimizer } from './optimizer';

export interface SgdOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

/** Stochastic gradient descent, torch.optim.SGD semantics, through the fused sgdUpdate kernel. */
export class SGD extends Optimizer<SgdOptions> {
  protected readonly bufferNames = ['momentum'] as const;

  constructor(params: ConstructorParameters<typeof Optimizer<SgdOptions>>[0], options: Partial<SgdOptions> & { lr: number }) {
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...options });
  }

  protected validate(o: SgdOptions): void {
    if (!(o.lr >= 0)) throw new RangeError(`SGD: lr must be >= 0, got ${o.lr}`);
    if (!(o.momentum >= 0)) throw new RangeError(`SGD: momentum must be >= 0, got ${o.momentum}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new RangeError('SGD: nesterov needs momentum > 0 and dampening = 0');
  }

  protected update(p: Tensor, grad: Float32Array, o: SgdOptions, s: { step: number; buffers: Record<string, Float32Array> }): void {
    backend().sgdUpdate({ ...o, step: s.step }, p.data, grad, o.momentum === 0 ? null : s.buffers['momentum']!);
  }
}
