import { backend } from '../backend';
import { Optimizer, type UpdateBatch } from './optimizer';

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

type Params = ConstructorParameters<typeof Optimizer<AdamOptions>>[0];

/** Adam (weight decay added to the gradient), torch.optim.Adam semantics, through the fused adamUpdateMany kernel (one call per step for all parameters). */
export class Adam extends Optimizer<AdamOptions> {
  protected readonly bufferNames = ['expAvg', 'expAvgSq'] as const;
  protected readonly decoupled: boolean = false;

  constructor(params: Params, options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, ...options });
  }

  protected validate(o: AdamOptions): void {
    if (!(o.lr >= 0)) throw new RangeError(`${this.constructor.name}: lr must be >= 0, got ${o.lr}`);
    if (!(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1)) throw new RangeError(`${this.constructor.name}: betas must be in [0, 1), got ${o.beta1}, ${o.beta2}`);
    if (!(o.eps > 0)) throw new RangeError(`${this.constructor.name}: eps must be > 0, got ${o.eps}`);
  }

  protected update({ options: o, step, params, grads, states }: UpdateBatch<AdamOptions>): void {
    backend().adamUpdateMany({ ...o, decoupled: this.decoupled, step }, params, grads,
      states.map((s) => s.buffers['expAvg']!), states.map((s) => s.buffers['expAvgSq']!));
  }
}

/** AdamW: decoupled weight decay (default 0.01), torch.optim.AdamW semantics. */
export class AdamW extends Adam {
  protected override readonly decoupled = true;

  constructor(params: Params, options: Partial<AdamOptions> = {}) {
    super(params, { weightDecay: 0.01, ...options });
  }
}
