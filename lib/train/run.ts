// A training run as a generator: epochs, batches, validation, the
// scheduler and checkpoints, yielding an event after every batch and epoch
// and taking back whether to stop. Whoever drives it (driver.ts: fitSync,
// fit on this thread, the training worker) decides how callbacks are run.
import type { Dataset } from '../data/dataset';
import { checkLoaderOptions, defaultDataWorkers, openBatchLoader } from '../data/loader';
import { globalRng, Rng } from '../tensor/random';
import type { BatchLogs, Callback, EpochBeginLogs, EpochLogs, History } from './callbacks';
import { readCheckpoint, writeCheckpoint, type CheckpointState } from './checkpoint';
import type { TrainSetup } from './setup';
import { evaluate, trainStep } from './step';

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
   * Stop as soon as a batch's loss is NaN or infinite (default true), with
   * history.stoppedBy 'nonFiniteLoss', history.stopReason naming the epoch
   * and batch, and one warning (CONVNODE_NONFINITE_LOSS) when fit returns.
   */
  terminateOnNaN?: boolean;
  /**
   * fit() only: run the training loop in a worker thread so the event loop
   * stays free (default true). Falls back to the calling thread, yielding
   * between batches, for models or optimizers that cannot be described as
   * data (custom classes not given to registerLayer).
   */
  worker?: boolean;
  /**
   * Worker threads that gather (normalise, augment) batches ahead of the
   * step, as PyTorch's DataLoader num_workers (0: on the training thread).
   * Default: 1 when batches cost work (byte images or augmentation) and the
   * machine has 2 or more cores, else 0 (data/loader.ts). They need the
   * dataset in shared memory: fit() shares it; fitSync with an ordinary
   * dataset gathers on its own thread.
   */
  dataWorkers?: number;
  /** Batches each data worker keeps ready ahead of the step (default 2). */
  prefetch?: number;
}

export type Event =
  | { kind: 'epochBegin'; epoch: number; logs: EpochBeginLogs }
  | { kind: 'batch'; epoch: number; logs: BatchLogs }
  | { kind: 'epoch'; epoch: number; logs: EpochLogs };

/** A run: yields each event, takes back whether to stop. */
export type RunGenerator = Generator<Event, void, boolean>;

/** The run of `options` over `data`; the epochs' logs are appended to history. */
/**
 * Every FitOptions key, as a record over keyof FitOptions so that a new
 * option left out here fails the typecheck: anything else a caller passes
 * is an error naming it.
 */
const FIT_OPTIONS: Record<keyof FitOptions, true> = {
  epochs: true, batchSize: true, shuffle: true, validationData: true, callbacks: true, signal: true, verbose: true,
  seed: true, checkpointPath: true, checkpointEvery: true, resumeFrom: true, terminateOnNaN: true, worker: true,
  dataWorkers: true, prefetch: true,
};
export const FIT_OPTION_KEYS = Object.keys(FIT_OPTIONS) as (keyof FitOptions)[];

export function* run(setup: TrainSetup, data: Dataset, o: FitOptions, history: History): RunGenerator {
  const batchSize = o.batchSize ?? 32;
  if (!(Number.isInteger(o.epochs) && o.epochs >= 1)) throw new RangeError(`fit: epochs must be a positive integer, got ${o.epochs}`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new RangeError(`fit: batchSize must be a positive integer, got ${batchSize}`);
  if (data.length === 0) throw new RangeError('fit: the training set is empty (0 examples): there is nothing to train on');
  if (o.validationData !== undefined && o.validationData.length === 0) {
    throw new RangeError('fit: validationData is empty (0 examples): its loss and accuracy would be NaN; leave it out instead');
  }
  checkLoaderOptions(o.dataWorkers, o.prefetch);
  const dataRng = new Rng(o.seed ?? Math.floor(globalRng.next() * 2 ** 32));
  let start: CheckpointState | null = null;
  if (o.resumeFrom !== undefined) {
    start = readCheckpoint(o.resumeFrom, setup, (saved) => {
      if (saved.epoch >= o.epochs) {
        throw new RangeError(`fit: ${o.resumeFrom} has finished ${saved.epoch} epoch(s) already, so epochs: ${o.epochs} leaves nothing to train ` +
          `(epochs counts from the start of the run: pass more than ${saved.epoch})`);
      }
    });
    dataRng.setState(start.dataRngState);
    history.epochs.push(...start.history);
  }
  const batches = data.numBatches(batchSize);
  const loader = openBatchLoader(data, batchSize, { workers: o.dataWorkers ?? defaultDataWorkers(data), prefetch: o.prefetch ?? 2 });
  try {
    for (let epoch = start?.epoch ?? 0; epoch < o.epochs; epoch++) {
      const epochRngState = dataRng.getState();
      const order = Int32Array.from({ length: data.length }, (_, i) => i);
      if (o.shuffle ?? true) dataRng.shuffle(order);
      const resumed = start !== null && start.epoch === epoch ? start : null;
      let lossSum = resumed?.lossSum ?? 0, correct = resumed?.correct ?? 0, seen = resumed?.seen ?? 0;
      const t0 = Date.now() - (resumed?.elapsedMs ?? 0);
      // Augmentation draws from the epoch's starting generator state, which a
      // checkpoint keeps: a resumed run augments exactly as the uninterrupted one.
      loader.beginEpoch(order, resumed?.batchesDone ?? 0, { seed: epochRngState, epoch });
      let dataMs = 0;
      if (yield { kind: 'epochBegin', epoch, logs: { batches, batchesDone: resumed?.batchesDone ?? 0 } }) return;
      for (let b = resumed?.batchesDone ?? 0; b < batches; b++) {
        const asked = performance.now();
        const { x, y } = loader.take(b);
        dataMs += performance.now() - asked;
        const r = trainStep(setup, x, y);
        if (!Number.isFinite(r.loss) && (o.terminateOnNaN ?? true)) {
          // Keras' TerminateOnNaN: the weights are spoiled, so stop before
          // anything (a checkpoint, the epoch's logs) records them.
          history.stoppedBy = 'nonFiniteLoss';
          history.stopReason = `the loss became ${r.loss} at epoch ${epoch + 1}, batch ${b + 1} of ${batches}; ` +
            'training stopped (a learning rate too high is the usual cause; the last checkpoint, if any, holds the weights before it)';
          return;
        }
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
      const trainSeconds = (Date.now() - t0) / 1000;
      const logs: EpochLogs = { epoch, loss: lossSum / seen, accuracy: correct / seen, lr: setup.optimizer.paramGroups[0]!.options.lr, seconds: 0,
        trainSeconds, dataSeconds: dataMs / 1000 };
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
  } finally {
    loader.close();
  }
}
