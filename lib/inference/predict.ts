// A model's outputs for a batch of inputs, in evaluation mode, in chunks.
// Each chunk's activations come from the model's buffer pool and go back
// to it when the chunk is done (its outputs are copied out first): fresh
// arrays every call cost LeNet at batch 256 about 430 page faults a call,
// and made its time swing from 7 to 19 ms on one thread.
import { noGrad } from '../autograd/grad-mode';
import type { Module } from '../nn/module';
import { bufferPoolFor, withBufferPool } from '../tensor/buffer-pool';
import { Tensor } from '../tensor/tensor';

/** The model's outputs for a batch of inputs [N, ...], computed in evaluation mode in chunks. */
export function predict(model: Module, x: Tensor, batchSize = 256): Tensor {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const n = x.shape[0]!, per = x.size / Math.max(1, n);
      const pool = bufferPoolFor(model);
      let out: Float32Array | null = null, rest: number[] = [];
      for (let s = 0; s < n; s += batchSize) {
        const e = Math.min(n, s + batchSize);
        withBufferPool(pool, () => {
          const y = model.forward(new Tensor(x.data.subarray(s * per, e * per), [e - s, ...x.shape.slice(1)]));
          const each = y.size / (e - s);
          if (out === null) {
            rest = y.shape.slice(1) as number[];
            out = new Float32Array(n * each);
          }
          out.set(y.data, s * each);
        });
      }
      return new Tensor(out ?? new Float32Array(0), [n, ...rest]);
    });
  } finally {
    model.train(wasTraining);
  }
}
