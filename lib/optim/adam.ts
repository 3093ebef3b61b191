import { backend } from '../backend';
import { Optimizer, type OptionDefaults, type UpdateBatch } from './optimizer';

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AMSGrad (Reddi et al.): divide by the largest second moment seen so far. */
  amsgrad: boolean;
}

type Params = ConstructorParameters<typeof Optimizer<AdamOptions>>[0];

const ADAM_DEFAULTS: OptionDefaults<AdamOptions> = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, amsgrad: false };

/** Adam (weight decay added to the gradient), torch.optim.Adam semantics, through the fused adamUpdateMany kernel (one call per step for all parameters). */
export class Adam extends Optimizer<AdamOptions> {
  protected readonly decoupled: boolean = false;

  constructor(params: Params, options: Partial<AdamOptions> = {}, defaults: OptionDefaults<AdamOptions> = ADAM_DEFAULTS) {
    super(params, defaults, options);
  }

  protected buffersFor(o: AdamOptions): readonly string[] {
    return o.amsgrad ? ['expAvg', 'expAvgSq', 'maxExpAvgSq'] : ['expAvg', 'expAvgSq'];
  }

  protected validate(o: AdamOptions): void {
    if (!(o.lr >= 0)) throw new RangeError(`${this.constructor.name}: lr must be >= 0, got ${o.lr}`);
    if (!(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1)) throw new RangeError(`${this.constructor.name}: betas must be in [0, 1), got ${o.beta1}, ${o.beta2}`);
    if (!(o.eps > 0)) throw new RangeError(`${this.constructor.name}: eps must be > 0, got ${o.eps}`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`${this.constructor.name}: weightDecay must be >= 0, got ${o.weightDecay}`);
  }

  protected update({ options: o, step, params, grads, states }: UpdateBatch<AdamOptions>): void {
    backend().adamUpdateMany({ ...o, decoupled: this.decoupled, step }, params, grads,
      states.map((s) => s.buffers['expAvg']!), states.map((s) => s.buffers['expAvgSq']!),
      o.amsgrad ? states.map((s) => s.buffers['maxExpAvgSq']!) : null);
  }
}

/** AdamW: decoupled weight decay (default 0.01), torch.optim.AdamW semantics. */
export class AdamW extends Adam {
  protected override readonly decoupled = true;

  constructor(params: Params, options: Partial<AdamOptions> = {}) {
    super(params, options, { ...ADAM_DEFAULTS, weightDecay: 0.01 });
  }
}
