// The data loader (lib/data/loader.ts): batches made ahead by worker threads
// are the batches gathered on the training thread (Dataset.gather, checked
// by data.transforms.test.ts), value for value, for any number of workers
// and prefetch depth, across epochs and an epoch restarted part-way; and a
// run trains to the same weights with or without workers.
import { describe, expect, it } from 'vitest';
import { Dataset, sharedArray } from '../lib/data/dataset';
import { openBatchLoader } from '../lib/data/loader';
import { lenet } from '../lib/models';
import { SGD } from '../lib/optim/sgd';
import { Rng, manualSeed } from '../lib/tensor/random';
import { fit, fitSync } from '../lib/train/fit';

function byteDataset(n: number, shared = true): Dataset {
  const per = 3 * 12 * 12;
  const images = shared ? sharedArray(Uint8Array, n * per) : new Uint8Array(n * per);
  const rng = new Rng(11);
  for (let i = 0; i < images.length; i++) images[i] = Math.floor(rng.next() * 256);
  const labels = shared ? sharedArray(Int32Array, n) : new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = (i * 7) % 10;
  return new Dataset(images, labels, [3, 12, 12], 10, {
    pixels: { mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] },
    augment: { resizedCrop: { size: 10, scale: [0.3, 1] }, flip: {} },
  });
}

describe('data loader', () => {
  it('workers make the batches gather makes, for 1 and 3 workers, every prefetch depth, uneven last batch, a restarted epoch', () => {
    const data = byteDataset(103);
    for (const [workers, prefetch] of [[1, 1], [1, 2], [3, 2], [3, 4]] as const) {
      const loader = openBatchLoader(data, 16, { workers, prefetch });
      expect(loader.workers).toBe(workers);
      try {
        for (const epoch of [0, 1]) {
          const order = Int32Array.from({ length: data.length }, (_, i) => i);
          new Rng(epoch + 5).shuffle(order);
          const draw = { seed: 99, epoch };
          // Epoch 1 starts from batch 2 (a resumed epoch) and stops after batch 4;
          // epoch 0 is restarted below with another order.
          const first = epoch === 1 ? 2 : 0, last = epoch === 1 ? 4 : 6;
          loader.beginEpoch(order, first, draw);
          for (let b = first; b <= last; b++) {
            const got = loader.take(b);
            const want = data.gather(order.subarray(b * 16, Math.min((b + 1) * 16, order.length)), draw);
            expect(got.x.shape).toEqual(want.x.shape);
            expect(Array.from(got.y)).toEqual(Array.from(want.y));
            expect(got.x.data).toEqual(want.x.data);
          }
        }
        // Restarting part-way (an epoch that was stopped) hands back the new epoch's batches.
        const order = Int32Array.from({ length: data.length }, (_, i) => data.length - 1 - i);
        loader.beginEpoch(order, 0, { seed: 1, epoch: 7 });
        const b = 6; // the uneven last batch: 103 = 6 * 16 + 7
        for (let k = 0; k < b; k++) loader.take(k);
        const got = loader.take(b);
        expect(got.x.shape).toEqual([7, 3, 10, 10]);
        expect(got.x.data).toEqual(data.gather(order.subarray(96), { seed: 1, epoch: 7 }).x.data);
      } finally {
        loader.close();
      }
    }
  });

  it('a dataset outside shared memory, or no workers asked for, is gathered on the calling thread', () => {
    expect(openBatchLoader(byteDataset(8, false), 4, { workers: 2 }).workers).toBe(0);
    expect(openBatchLoader(byteDataset(8), 4, { workers: 0 }).workers).toBe(0);
  });

  it('training with 0, 1 or 2 data workers gives the same weights, and each epoch says how long it waited for data', async () => {
    const data = (() => {
      const d = byteDataset(96);
      // LeNet takes one 28x28 channel: a byte dataset of that shape from the same bytes.
      const images = sharedArray(Uint8Array, 96 * 28 * 28);
      for (let i = 0; i < images.length; i++) images[i] = d.images[i % d.images.length]!;
      return new Dataset(images, d.labels, [1, 28, 28], 10, { pixels: { mean: [0.3], std: [0.3] }, augment: { crop: { size: 28, padding: 2 }, flip: {} } });
    })();
    const train = (dataWorkers: number) => {
      manualSeed(4);
      const model = lenet();
      const optimizer = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const history = fitSync({ model, optimizer }, data, { epochs: 2, batchSize: 20, seed: 8, verbose: false, dataWorkers, prefetch: 3 });
      return { weights: model.parameters().map((p) => Array.from(p.data)), history };
    };
    const inline = train(0);
    for (const w of [1, 2]) expect(train(w).weights).toEqual(inline.weights);
    for (const e of inline.history.epochs) {
      expect(e.dataSeconds).toBeGreaterThan(0);
      expect(e.dataSeconds!).toBeLessThanOrEqual(e.trainSeconds!);
      expect(e.trainSeconds!).toBeLessThanOrEqual(e.seconds);
    }
    // fit() in its worker thread, with data workers of its own.
    manualSeed(4);
    const model = lenet();
    const optimizer = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    await fit({ model, optimizer }, data, { epochs: 2, batchSize: 20, seed: 8, verbose: false, dataWorkers: 2 });
    expect(model.parameters().map((p) => Array.from(p.data))).toEqual(inline.weights);
  });

  it('refuses a data worker count or prefetch depth that is not a small whole number, naming the option', () => {
    const model = lenet();
    const setup = { model, optimizer: new SGD(model.parameters(), { lr: 0.1 }) };
    const data = byteDataset(4);
    expect(() => fitSync(setup, data, { epochs: 1, dataWorkers: -1, verbose: false })).toThrow(/dataWorkers must be a whole number from 0 to 64, got -1/);
    expect(() => fitSync(setup, data, { epochs: 1, dataWorkers: 1.5, verbose: false })).toThrow(RangeError);
    expect(() => fitSync(setup, data, { epochs: 1, prefetch: 0, verbose: false })).toThrow(/prefetch must be a whole number from 1 to 16, got 0/);
  });
});
