// The one graph rewrite convnode makes, applied by Sequential once, when it
// is built (Sequential.executionOrder shows the result):
//
//   ReLU directly followed by MaxPool2d runs as the pool, then the ReLU.
//
// max(relu(a), relu(b)) = relu(max(a, b)), NaN included (both propagate
// it), and the gradients agree too: a window whose values are all <= 0
// passes no gradient either way. The ReLU then works, forward and
// backward, on a quarter of the data (2x2 pooling), and the full-size ReLU
// output is never allocated. Only these exact classes are swapped, never
// subclasses, which may behave differently.
import { MaxPool2d, ReLU } from './layers';
import type { Module } from './module';

const sameClass = (m: Module | undefined, cls: abstract new (...args: never[]) => Module) => m !== undefined && m.constructor === cls;

/** The layers in the order Sequential runs them. */
export function executionOrder(layers: readonly Module[]): Module[] {
  const order: Module[] = [];
  for (let i = 0; i < layers.length; i++) {
    if (sameClass(layers[i], ReLU) && sameClass(layers[i + 1], MaxPool2d)) {
      order.push(layers[i + 1]!, layers[i]!);
      i++;
    } else {
      order.push(layers[i]!);
    }
  }
  return order;
}
