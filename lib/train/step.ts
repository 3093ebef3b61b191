// One batch of work: a training step, and evaluation over a dataset.
import { noGrad } from '../autograd/grad-mode';
import type { Dataset } from '../data/dataset';
import type { Tensor } from '../tensor/tensor';
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

/** Mean loss and accuracy over a dataset, in evaluation mode, without gradients. */
export function evaluate(setup: Pick<TrainSetup, 'model' | 'loss' | 'bufferPool'>, data: Dataset, batchSize = 256): { loss: number; accuracy: number } {
  if (data.length === 0) throw new RangeError('evaluate: the dataset is empty (0 examples): its loss and accuracy would be NaN');
  const wasTraining = setup.model.training;
  setup.model.eval();
  let loss = 0, correct = 0;
  try {
    noGrad(() => {
      for (const { x, y } of data.batches(batchSize)) {
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
  return { loss: loss / data.length, accuracy: correct / data.length };
}
