// What a training run works on: the model, its optimizer (and scheduler),
// the loss, and where a batch's buffers come from.
import { crossEntropy, mseLoss } from '../autograd/ops';
import type { Module } from '../nn/module';
import type { Optimizer } from '../optim/optimizer';
import type { LrScheduler } from '../optim/schedulers';
import { bufferPoolFor, withBufferPool, type BufferPool } from '../tensor/buffer-pool';
import { Tensor } from '../tensor/tensor';

export type LossName = 'crossEntropy' | 'mse';

export interface TrainSetup {
  model: Module;
  optimizer: Optimizer<{ lr: number }>;
  /** 'crossEntropy' on logits (default), or 'mse' against one-hot targets. */
  loss?: LossName;
  scheduler?: LrScheduler | null;
  /**
   * Where trainStep and evaluate take the activations and gradients of a
   * batch from, and give them back when the batch is done (default: one pool
   * per model). null allocates fresh arrays every batch.
   */
  bufferPool?: BufferPool | null;
}

function bufferPoolOf(setup: Pick<TrainSetup, 'model' | 'bufferPool'>): BufferPool | null {
  return setup.bufferPool !== undefined ? setup.bufferPool : bufferPoolFor(setup.model);
}

/** Runs one batch's work with its buffers from the setup's pool; fn must return plain values. */
export function inBatchScope<T>(setup: Pick<TrainSetup, 'model' | 'bufferPool'>, fn: () => T): T {
  const pool = bufferPoolOf(setup);
  return pool === null ? fn() : withBufferPool(pool, fn);
}

/** The setup's loss of a batch's logits against its labels. */
export function lossOf(setup: Pick<TrainSetup, 'loss'>, logits: Tensor, y: Int32Array): Tensor {
  if ((setup.loss ?? 'crossEntropy') === 'crossEntropy') return crossEntropy(logits, y);
  const [n, c] = logits.shape as [number, number];
  const target = new Float32Array(n * c);
  for (let i = 0; i < n; i++) target[i * c + y[i]!] = 1;
  return mseLoss(logits, new Tensor(target, [n, c]), 'mean');
}
