// A TypeScript consumer (test/fresh-install.sh runs tsc --noEmit --strict on
// it): the package's types resolve and describe what the code uses.
import { Conv2d, Flatten, Linear, ReLU, Sequential, SGD, Tensor, fit, runtimeInfo, type History } from 'convnode';
import type { Dataset } from 'convnode';

const model = new Sequential(new Conv2d(1, 4, 3), new ReLU(), new Flatten(), new Linear(4 * 26 * 26, 10));
const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
const out: Tensor = model.forward(new Tensor(new Float32Array(784), [1, 1, 28, 28]));
const shape: readonly number[] = out.shape;
const isa: string | undefined = runtimeInfo().native?.isa;

export async function train(data: Dataset): Promise<number> {
  const history: History = await fit({ model, optimizer }, data, { epochs: 1, batchSize: 32 });
  return history.epochs.length + shape.length + (isa === undefined ? 0 : 1);
}
