// Inference in a worker thread: the same outputs as in-thread predict(),
// errors come back as rejections, and the event loop stays free.
import { describe, expect, it } from 'vitest';
import { embeddedMnistDir, loadMnistFolder } from '../lib/data/mnist';
import { lenet, smallVgg } from '../lib/models';
import { manualSeed } from '../lib/tensor/random';
import { Tensor } from '../lib/tensor/tensor';
import { InferenceSession, predictAsync } from '../lib/inference/session';
import { predict } from '../lib/inference/predict';
import { noGrad } from '../lib/autograd/grad-mode';
import { bufferPoolFor } from '../lib/tensor/buffer-pool';

describe('predict', () => {
  it("takes its activations from the model's buffer pool: no new arrays after the first call, in chunks, the forward pass's numbers", () => {
    manualSeed(3);
    const model = smallVgg();
    const x = loadMnistFolder(embeddedMnistDir()).test.gather(Array.from({ length: 10 }, (_, i) => i)).x;
    model.eval();
    const direct = noGrad(() => model.forward(x)).data.slice();
    // Chunks of 5: a Linear layer over more than 4 rows takes the packed GEMM,
    // whose rows do not depend on each other, so the numbers are the same bits.
    const first = predict(model, x, 5);
    const created = bufferPoolFor(model).stats().created;
    const again = predict(model, x, 5);
    expect(bufferPoolFor(model).stats().created).toBe(created);
    expect(bufferPoolFor(model).stats().reused).toBeGreaterThan(0);
    expect(first.shape).toEqual([10, 10]);
    expect(Array.from(first.data)).toEqual(Array.from(direct));
    expect(Array.from(again.data)).toEqual(Array.from(direct));
    // One image at a time (a service's batch of 1) goes through the few-rows
    // GEMM, which sums in another order: the same numbers to float rounding.
    const single = predict(model, x, 1);
    const scale = Math.max(...direct.map(Math.abs));
    direct.forEach((v, i) => expect(Math.abs(single.data[i]! - v)).toBeLessThan(1e-5 * scale));
  });
});

describe('InferenceSession', () => {
  it('predicts exactly what predict() does, for queued requests in order', async () => {
    manualSeed(8);
    const model = lenet();
    const test = loadMnistFolder(embeddedMnistDir()).test;
    const a = test.gather([0, 1, 2, 3]).x, b = test.gather([4, 5]).x;
    const session = InferenceSession.create(model);
    try {
      const [ya, yb] = await Promise.all([session.predict(a), session.predict(b)]);
      expect(ya.data).toEqual(predict(model, a).data);
      expect(yb.data).toEqual(predict(model, b).data);
      expect(ya.shape).toEqual([4, 10]);
      await expect(session.predict(new Tensor(new Float32Array(10), [1, 10]))).rejects.toThrow(/conv2d: x must have 4 dimensions/);
      expect((await session.predict(a)).data).toEqual(ya.data); // still serving after an error
    } finally {
      await session.close();
    }
    await expect(session.predict(a)).rejects.toThrow('InferenceSession: predict() after close()');
    expect((await predictAsync(model, a)).data).toEqual(predict(model, a).data);
  });

  it('keeps the event loop free while a large batch runs', async () => {
    manualSeed(9);
    const model = smallVgg();
    const x = new Tensor(new Float32Array(512 * 784).map((_, i) => Math.sin(i)), [512, 1, 28, 28]);
    const session = InferenceSession.create(model);
    const lags: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => { const now = performance.now(); lags.push(now - last - 1); last = now; }, 1);
    try {
      const y = await session.predict(x);
      expect(y.shape).toEqual([512, 10]);
    } finally {
      clearInterval(timer);
      await session.close();
    }
    lags.sort((p, q) => p - q);
    expect(lags.length).toBeGreaterThan(20);
    expect(lags[Math.floor(0.99 * (lags.length - 1))]).toBeLessThan(20);
  }, 60000);
});
