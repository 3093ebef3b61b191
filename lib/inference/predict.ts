// A model's outputs for a batch of inputs, in evaluation mode, in chunks.
import { noGrad } from '../autograd/grad-mode';
import type { Module } from '../nn/module';
import { Tensor } from '../tensor/tensor';

/** The model's outputs for a batch of inputs [N, ...], computed in evaluation mode in chunks. */
export function predict(model: Module, x: Tensor, batchSize = 256): Tensor {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const n = x.shape[0]!, per = x.size / Math.max(1, n);
      const chunks: Tensor[] = [];
      for (let s = 0; s < n; s += batchSize) {
        const e = Math.min(n, s + batchSize);
        chunks.push(model.forward(new Tensor(x.data.subarray(s * per, e * per), [e - s, ...x.shape.slice(1)])));
      }
      const rest = chunks[0]!.shape.slice(1);
      const out = new Float32Array(chunks.reduce((a, c) => a + c.size, 0));
      let at = 0;
      for (const c of chunks) { out.set(c.data, at); at += c.size; }
      return new Tensor(out, [n, ...rest]);
    });
  } finally {
    model.train(wasTraining);
  }
}
