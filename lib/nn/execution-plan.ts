// The graph rewrites convnode makes, applied by Sequential once, when it
// is built (Sequential.executionOrder shows the result):
//
// - ReLU directly followed by MaxPool2d runs as the pool, then the ReLU.
//   max(relu(a), relu(b)) = relu(max(a, b)), NaN included (both propagate
//   it), and the gradients agree too: a window whose values are all <= 0
//   passes no gradient either way. The ReLU then works, forward and
//   backward, on a quarter of the data (2x2 pooling), and the full-size
//   ReLU output is never allocated.
// - BatchNorm2d directly followed by ReLU runs as one op, the ReLU folded
//   into the batch norm's passes over the data (ops.batchNorm2d with relu):
//   the same values and gradients bit for bit, one pass over the data fewer
//   each way. A ResNet has one such pair per residual block and the stem.
//
// Only these exact classes are rewritten, never subclasses, which may
// behave differently.
import { BatchNorm2d, MaxPool2d, ReLU } from './layers';
import { Module, type LayerSpec } from './module';
import type { Tensor } from '../tensor/tensor';

const sameClass = (m: Module | undefined, cls: abstract new (...args: never[]) => Module) => m !== undefined && m.constructor === cls;

/**
 * A BatchNorm2d and the ReLU after it as one step of the execution order.
 * It holds nothing of its own: parameters, statistics and training mode
 * are the batch norm's.
 */
export class BatchNormReLU extends Module {
  constructor(readonly batchNorm: BatchNorm2d) {
    super();
  }

  forward(x: Tensor): Tensor {
    return this.batchNorm.forwardRelu(x);
  }

  spec(): LayerSpec {
    return { type: 'Sequential', children: [this.batchNorm.spec(), { type: 'ReLU' }] };
  }
}

/** The layers in the order Sequential runs them. */
export function executionOrder(layers: readonly Module[]): Module[] {
  const order: Module[] = [];
  for (let i = 0; i < layers.length; i++) {
    if (sameClass(layers[i], ReLU) && sameClass(layers[i + 1], MaxPool2d)) {
      order.push(layers[i + 1]!, layers[i]!);
      i++;
    } else if (sameClass(layers[i], BatchNorm2d) && sameClass(layers[i + 1], ReLU)) {
      order.push(new BatchNormReLU(layers[i] as BatchNorm2d));
      i++;
    } else {
      order.push(layers[i]!);
    }
  }
  return order;
}
