// A container that runs its children in order; children are named "0",
// "1", ... as in PyTorch.
import type { Tensor } from '../tensor/tensor';
import { executionOrder } from './execution-plan';
import { Module, type LayerSpec } from './module';

export class Sequential extends Module {
  readonly layers: readonly Module[];
  /** The order forward() runs the layers in: layers, after the rewrite of execution-plan.ts. */
  readonly executionOrder: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => this.registerModule(String(i), m));
    this.layers = layers;
    this.executionOrder = executionOrder(layers);
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.executionOrder) y = m.forward(y);
    return y;
  }

  spec(): LayerSpec {
    return { type: 'Sequential', children: this.layers.map((m) => m.spec()) };
  }
}
