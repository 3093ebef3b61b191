import { Optimizer, type UpdateBatch } from './optimizer';

export interface RmspropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
}

/**
 * RMSprop, torch.optim.RMSprop semantics (no centering). There is no native
 * kernel for it yet: the update is a TypeScript loop on either backend.
 */
export class RMSprop extends Optimizer<RmspropOptions> {
  protected readonly bufferNames = ['squareAvg', 'momentum'] as const;

  constructor(params: ConstructorParameters<typeof Optimizer<RmspropOptions>>[0], options: Partial<RmspropOptions> = {}) {
    super(params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, ...options });
  }

  protected validate(o: RmspropOptions): void {
    if (!(o.lr >= 0)) throw new RangeError(`RMSprop: lr must be >= 0, got ${o.lr}`);
    if (!(o.alpha >= 0 && o.alpha < 1)) throw new RangeError(`RMSprop: alpha must be in [0, 1), got ${o.alpha}`);
  }

  protected update({ options: o, params, grads, states }: UpdateBatch<RmspropOptions>): void {
    params.forEach((w, j) => this.updateOne(w, grads[j]!, o, states[j]!.buffers));
  }

  private updateOne(w: Float32Array, grad: Float32Array, o: RmspropOptions, buffers: Record<string, Float32Array>): void {
    const sq = buffers['squareAvg']!, buf = buffers['momentum']!;
    for (let i = 0; i < w.length; i++) {
      const g = grad[i]! + o.weightDecay * w[i]!;
      sq[i] = o.alpha * sq[i]! + (1 - o.alpha) * g * g;
      const step = g / (Math.sqrt(sq[i]!) + o.eps);
      if (o.momentum > 0) {
        buf[i] = o.momentum * buf[i]! + step;
        w[i] = w[i]! - o.lr * buf[i]!;
      } else {
        w[i] = w[i]! - o.lr * step;
      }
    }
  }
}
