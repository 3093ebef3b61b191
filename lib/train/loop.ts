// Training, evaluation and prediction. One generator walks the run (epochs,
// batches, checkpoints) and yields after every batch and epoch; fitSync
// drives it in one go, fit() drives it asynchronously, giving the event
// loop a turn after every batch and awaiting async callbacks.
import { crossEntropy, mseLoss } from '../autograd/ops';
import { noGrad } from '../autograd/grad-mode';
import type { Dataset } from '../data/dataset';
import type { Module } from '../nn/module';
import type { Optimizer } from '../optim/optimizer';
import type { LrScheduler } from '../optim/schedulers';
import { BufferPool, withBufferPool } from '../tensor/buffer-pool';
import { globalRng, Rng } from '../tensor/random';
import { Tensor } from '../tensor/tensor';
import { EarlyStopping, type BatchLogs, type Callback, type EpochLogs, type History } from './callbacks';
import { readCheckpoint, writeCheckpoint, type CheckpointState } from './checkpoint';
import { countCorrect } from './metrics';
import { ProgressReporter } from './progress';
import { fitInWorker } from './fit-worker';

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

const poolOfModel = new WeakMap<Module, BufferPool>();

function bufferPoolOf(setup: Pick<TrainSetup, 'model' | 'bufferPool'>): BufferPool | null {
  if (setup.bufferPool !== undefined) return setup.bufferPool;
  let pool = poolOfModel.get(setup.model);
  if (pool === undefined) poolOfModel.set(setup.model, (pool = new BufferPool()));
  return pool;
}

/** Runs one batch's work with its buffers from the setup's pool; fn must return plain values. */
function inBatchScope<T>(setup: Pick<TrainSetup, 'model' | 'bufferPool'>, fn: () => T): T {
  const pool = bufferPoolOf(setup);
  return pool === null ? fn() : withBufferPool(pool, fn);
}

export interface FitOptions {
  epochs: number;
  batchSize?: number;
  shuffle?: boolean;
  validationData?: Dataset;
  callbacks?: Callback[];
  /** Stops training after the current batch. */
  signal?: AbortSignal;
  /** Progress bar on a TTY, a line per epoch otherwise (default true). */
  verbose?: boolean;
  /** Seeds the shuffling (default: drawn from the global generator). */
  seed?: number;
  /** Write a checkpoint to this file after every epoch (and every `checkpointEvery` batches). */
  checkpointPath?: string;
  checkpointEvery?: number;
  /** Continue the run saved in this checkpoint, exactly where it stopped. */
  resumeFrom?: string;
  /**
   * fit() only: run the training loop in a worker thread so the event loop
   * stays free (default true). Falls back to the calling thread, yielding
   * between batches, for models or optimizers that cannot be described as
   * data (custom classes not given to registerLayer).
   */
  worker?: boolean;
}

export type Event =
  | { kind: 'epochBegin'; epoch: number }
  | { kind: 'batch'; epoch: number; logs: BatchLogs }
  | { kind: 'epoch'; epoch: number; logs: EpochLogs };

function lossOf(setup: TrainSetup, logits: Tensor, y: Int32Array): Tensor {
  if ((setup.loss ?? 'crossEntropy') === 'crossEntropy') return crossEntropy(logits, y);
  const [n, c] = logits.shape as [number, number];
  const target = new Float32Array(n * c);
  for (let i = 0; i < n; i++) target[i * c + y[i]!] = 1;
  return mseLoss(logits, new Tensor(target, [n, c]), 'mean');
}

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
  const wasTraining = setup.model.training;
  setup.model.eval();
  let loss = 0, correct = 0;
  try {
    noGrad(() => {
      for (const { x, y } of data.batches(batchSize)) {
        inBatchScope(setup, () => {
          const logits = setup.model.forward(x);
          loss += lossOf(setup as TrainSetup, logits, y).item() * y.length;
          correct += countCorrect(logits, y);
        });
      }
    });
  } finally {
    setup.model.train(wasTraining);
  }
  return { loss: loss / data.length, accuracy: correct / data.length };
}

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

export function* run(setup: TrainSetup, data: Dataset, o: FitOptions, history: History): Generator<Event, void, boolean> {
  const batchSize = o.batchSize ?? 32;
  if (!(Number.isInteger(o.epochs) && o.epochs >= 1)) throw new RangeError(`fit: epochs must be a positive integer, got ${o.epochs}`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new RangeError(`fit: batchSize must be a positive integer, got ${batchSize}`);
  const dataRng = new Rng(o.seed ?? Math.floor(globalRng.next() * 2 ** 32));
  let start: CheckpointState | null = null;
  if (o.resumeFrom !== undefined) {
    start = readCheckpoint(o.resumeFrom, setup);
    dataRng.setState(start.dataRngState);
    history.epochs.push(...start.history);
  }
  const batches = data.numBatches(batchSize);
  for (let epoch = start?.epoch ?? 0; epoch < o.epochs; epoch++) {
    const epochRngState = dataRng.getState();
    const order = Int32Array.from({ length: data.length }, (_, i) => i);
    if (o.shuffle ?? true) dataRng.shuffle(order);
    const resumed = start !== null && start.epoch === epoch ? start : null;
    let lossSum = resumed?.lossSum ?? 0, correct = resumed?.correct ?? 0, seen = resumed?.seen ?? 0;
    const t0 = Date.now() - (resumed?.elapsedMs ?? 0);
    if (yield { kind: 'epochBegin', epoch }) return;
    for (let b = resumed?.batchesDone ?? 0; b < batches; b++) {
      const { x, y } = data.gather(order.subarray(b * batchSize, Math.min((b + 1) * batchSize, data.length)));
      const r = trainStep(setup, x, y);
      lossSum += r.loss * y.length;
      correct += r.correct;
      seen += y.length;
      const save = o.checkpointPath !== undefined && o.checkpointEvery !== undefined && (b + 1) % o.checkpointEvery === 0 && b + 1 < batches;
      if (save) {
        writeCheckpoint(o.checkpointPath!, setup, {
          epoch, batchesDone: b + 1, dataRngState: epochRngState, lossSum, correct, seen, elapsedMs: Date.now() - t0, history: history.epochs,
        });
      }
      const stop = yield { kind: 'batch', epoch, logs: { batch: b, batches, loss: lossSum / seen, accuracy: correct / seen } };
      if (stop) return;
    }
    start = null;
    const logs: EpochLogs = { epoch, loss: lossSum / seen, accuracy: correct / seen, lr: setup.optimizer.paramGroups[0]!.options.lr, seconds: 0 };
    if (o.validationData) {
      const v = evaluate(setup, o.validationData);
      logs.valLoss = v.loss;
      logs.valAccuracy = v.accuracy;
    }
    logs.seconds = (Date.now() - t0) / 1000;
    setup.scheduler?.step();
    history.epochs.push(logs);
    if (o.checkpointPath !== undefined) {
      writeCheckpoint(o.checkpointPath, setup, {
        epoch: epoch + 1, batchesDone: 0, dataRngState: dataRng.getState(), lossSum: 0, correct: 0, seen: 0, elapsedMs: 0, history: history.epochs,
      });
    }
    const stop = yield { kind: 'epoch', epoch, logs };
    if (stop) return;
  }
}

export function callbacksOf(o: FitOptions): Callback[] {
  return [...(o.verbose ?? true ? [new ProgressReporter(o.epochs)] : []), ...(o.callbacks ?? [])];
}

/** Calls every callback for one event; says whether (and why) training should stop. */
export function dispatch(cbs: Callback[], ev: Event, signal: AbortSignal | undefined, call: (r: unknown) => unknown): Array<unknown> {
  return cbs.map((c) =>
    call(ev.kind === 'epochBegin' ? c.onEpochBegin?.(ev.epoch) : ev.kind === 'batch' ? c.onBatchEnd?.(ev.epoch, ev.logs) : c.onEpochEnd?.(ev.epoch, ev.logs)),
  ).concat(signal?.aborted ? ['abort'] : []);
}

export function stopReason(cbs: Callback[], results: unknown[]): History['stoppedBy'] | undefined {
  if (results.includes('abort')) return 'abort';
  const i = results.indexOf('stop');
  if (i < 0) return undefined;
  return cbs[i] instanceof EarlyStopping ? 'earlyStopping' : 'callback';
}

/** Trains in one go; callbacks must be synchronous (a returned promise is not awaited). */
export function fitSync(setup: TrainSetup, data: Dataset, options: FitOptions): History {
  const history: History = { epochs: [], seconds: 0 };
  const t0 = Date.now();
  const cbs = callbacksOf(options);
  cbs.forEach((c) => c.onTrainBegin?.());
  const it = run(setup, data, options, history);
  let stop = false;
  for (let step = it.next(false); !step.done; step = it.next(stop)) {
    const reason = stopReason(cbs, dispatch(cbs, step.value, options.signal, (r) => r));
    stop = reason !== undefined;
    if (stop) history.stoppedBy = reason;
  }
  history.seconds = (Date.now() - t0) / 1000;
  cbs.forEach((c) => c.onTrainEnd?.(history));
  return history;
}

export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Trains asynchronously. By default the loop runs in a worker thread (see
 * FitOptions.worker) and the calling thread only runs the callbacks, so a
 * server stays responsive; the model, optimizer and scheduler are updated
 * in place when it ends, exactly as if it had run here.
 */
export async function fit(setup: TrainSetup, data: Dataset, options: FitOptions): Promise<History> {
  if (options.worker ?? true) {
    const viaWorker = await fitInWorker(setup, data, options);
    if (viaWorker !== null) return viaWorker;
  }
  return fitInThread(setup, data, options);
}

/** The async loop on the calling thread, giving the event loop a turn after every batch. */
export async function fitInThread(setup: TrainSetup, data: Dataset, options: FitOptions): Promise<History> {
  const history: History = { epochs: [], seconds: 0 };
  const t0 = Date.now();
  const cbs = callbacksOf(options);
  for (const c of cbs) await c.onTrainBegin?.();
  const it = run(setup, data, options, history);
  let stop = false;
  await yieldToEventLoop();
  for (let step = it.next(false); !step.done; step = it.next(stop)) {
    const results = await Promise.all(dispatch(cbs, step.value, undefined, (r) => r));
    if (options.signal?.aborted) results.push('abort');
    const reason = stopReason(cbs, results);
    stop = reason !== undefined;
    if (stop) history.stoppedBy = reason;
    await yieldToEventLoop();
  }
  history.seconds = (Date.now() - t0) / 1000;
  for (const c of cbs) await c.onTrainEnd?.(history);
  return history;
}
