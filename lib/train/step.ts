// One batch of work: a training step, and evaluation over a dataset.
import { noGrad } from '../autograd/grad-mode';
import { scale } from '../autograd/ops';
import type { DataParallel } from '../distributed/data-parallel';
import type { Dataset } from '../data/dataset';
import { Tensor } from '../tensor/tensor';
import { countCorrect } from './metrics';
import { inBatchScope, lossOf, type TrainSetup } from './setup';

/** One optimisation step on a batch; returns its loss and number of correct predictions. */
export function trainStep(setup: TrainSetup, x: Tensor, y: Int32Array): { loss: number; correct: number } {
  setup.model.train();
  // The gradient arrays of the last step are reused, so a step allocates
  // none (a gradient read after a step is valid until the next one).
  setup.optimizer.zeroGrad({ keepArrays: true });
  return inBatchScope(setup, () => {
    const logits = setup.model.forward(x);
    const loss = lossOf(setup, logits, y);
    loss.backward();
    setup.optimizer.step();
    return { loss: loss.item(), correct: countCorrect(logits, y) };
  });
}

/**
 * trainStep of one rank of a data-parallel run (distributed/data-parallel.ts):
 * x, y are this rank's slice of a global batch of globalCount samples. Each
 * rank back-propagates its part of the global mean loss; the gradients
 * (and the loss sum and correct count) are summed over the ranks, so every
 * rank takes the step one process would take on the whole batch. Returns
 * the global batch's mean loss and correct count.
 */
export function dataParallelStep(setup: TrainSetup, x: Tensor, y: Int32Array, dp: DataParallel, globalCount: number): { loss: number; correct: number } {
  setup.model.train();
  setup.optimizer.zeroGrad({ keepArrays: true });
  return inBatchScope(setup, () => dp.withSync(() => {
    const logits = setup.model.forward(x);
    const loss = lossOf(setup, logits, y);
    const [lossSum, correct] = dp.reduceStep(() => scale(loss, y.length / globalCount).backward(), [loss.item() * y.length, countCorrect(logits, y)]);
    setup.optimizer.step();
    return { loss: lossSum / globalCount, correct };
  }));
}

/** Mean loss and accuracy over a dataset, in evaluation mode, without gradients. */
export function evaluate(setup: Pick<TrainSetup, 'model' | 'loss' | 'bufferPool'>, data: Dataset, batchSize = 256): { loss: number; accuracy: number } {
  if (data.length === 0) throw new RangeError('evaluate: the dataset is empty (0 examples): its loss and accuracy would be NaN');
  const [loss, correct] = lossSums(setup, data, Int32Array.from(data.labels.keys()), batchSize);
  return { loss: loss / data.length, accuracy: correct / data.length };
}

/**
 * evaluate over the ranks of a data-parallel run: each evaluates every
 * size-th sample from its rank on, and the sums are added up, so every rank
 * gets the whole dataset's loss and accuracy.
 */
export function evaluateSharded(setup: Pick<TrainSetup, 'model' | 'loss' | 'bufferPool'>, data: Dataset, dp: DataParallel, batchSize = 256): { loss: number; accuracy: number } {
  const mine = Int32Array.from({ length: Math.max(0, Math.ceil((data.length - dp.rank) / dp.size)) }, (_, i) => dp.rank + i * dp.size);
  const [loss, correct] = dp.sum(lossSums(setup, data, mine, batchSize));
  return { loss: loss! / data.length, accuracy: correct! / data.length };
}

/** The summed loss and the correct count of the samples at `indices`, in evaluation mode, without gradients. */
function lossSums(setup: Pick<TrainSetup, 'model' | 'loss' | 'bufferPool'>, data: Dataset, indices: Int32Array, batchSize: number): [number, number] {
  const wasTraining = setup.model.training;
  setup.model.eval();
  let loss = 0, correct = 0;
  // One batch's arrays for every batch (fresh ones cost page faults, as in the loader).
  const shape = data.sampleShape(), per = shape[0] * shape[1] * shape[2];
  const xs = new Float32Array(Math.min(batchSize, indices.length) * per), ys = new Int32Array(Math.min(batchSize, indices.length));
  try {
    noGrad(() => {
      for (let at = 0; at < indices.length; at += batchSize) {
        const batch = indices.subarray(at, at + batchSize), n = batch.length;
        const y = ys.subarray(0, n), x = new Tensor(xs.subarray(0, n * per), [n, ...shape]);
        data.gatherInto(batch, undefined, x.data, y);
        inBatchScope(setup, () => {
          const logits = setup.model.forward(x);
          loss += lossOf(setup, logits, y).item() * y.length;
          correct += countCorrect(logits, y);
        });
      }
    });
  } finally {
    setup.model.train(wasTraining);
  }
  return [loss, correct];
}
