// A training run as a generator: epochs, batches, validation, the
// scheduler and checkpoints, yielding an event after every batch and epoch
// and taking back whether to stop. Whoever drives it (driver.ts: fitSync,
// fit on this thread, the training worker) decides how callbacks are run.
import type { Dataset } from '../data/dataset';
import { checkLoaderOptions, defaultDataWorkers, openBatchLoader } from '../data/loader';
import { openDataParallel } from '../distributed/open';
import type { DistributedOptions } from '../distributed/data-parallel';
import { globalBatchOffsets, largestRankBatch, rankOrder } from '../distributed/shards';
import { globalRng, Rng } from '../tensor/random';
import type { BatchLogs, Callback, EpochBeginLogs, EpochLogs, History } from './callbacks';
import { checkpointBytes, readCheckpoint, restoreCheckpointBytes, writeCheckpoint, type CheckpointState } from './checkpoint';
import type { TrainSetup } from './setup';
import { dataParallelStep, evaluate, evaluateSharded, trainStep } from './step';
import { readSafetensorsBytes } from '../io/safetensors';

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
  /**
   * Train data-parallel over the processes mpirun started (convnode/distributed):
   * batchSize is then the global batch, split over the ranks; see
   * lib/distributed/data-parallel.ts for what is synchronised and how.
   */
  distributed?: boolean | DistributedOptions;
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
  dataWorkers: true, prefetch: true, distributed: true,
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
  // Data-parallel: every rank runs this same generator, in step.
  const dp = o.distributed ? openDataParallel(setup.model, o.distributed) : null;
  const leader = dp === null || dp.rank === 0;
  let seed = o.seed ?? Math.floor(globalRng.next() * 2 ** 32);
  if (dp !== null) seed = dp.broadcastNumber(seed);
  const dataRng = new Rng(seed);
  let start: CheckpointState | null = null;
  const accept = (saved: CheckpointState) => {
    if (saved.epoch >= o.epochs) {
      throw new RangeError(`fit: ${o.resumeFrom} has finished ${saved.epoch} epoch(s) already, so epochs: ${o.epochs} leaves nothing to train ` +
        `(epochs counts from the start of the run: pass more than ${saved.epoch})`);
    }
  };
  if (o.resumeFrom !== undefined) {
    // Under MPI rank 0 reads the file and every rank restores from its bytes.
    start = dp === null ? readCheckpoint(o.resumeFrom, setup, accept)
      : restoreCheckpointBytes(dp.broadcastBytes(leader ? readSafetensorsBytes(o.resumeFrom) : null), o.resumeFrom, setup, accept);
    dataRng.setState(start.dataRngState);
    history.epochs.push(...start.history);
  } else if (dp !== null && dp.size > 1) {
    // Every rank starts from rank 0's weights, buffers and optimizer state.
    const bytes = dp.broadcastBytes(leader ? checkpointBytes(setup, { epoch: 0, batchesDone: 0, dataRngState: 0, lossSum: 0, correct: 0, seen: 0, elapsedMs: 0, history: [] }) : null);
    if (!leader) restoreCheckpointBytes(bytes, 'rank 0\'s model', setup, undefined, false);
  }
  const ranks = dp?.size ?? 1;
  // Where each global batch starts in an epoch's order (the same every epoch).
  const global = globalBatchOffsets(data.length, batchSize, ranks);
  const batches = global.length - 1;
  const loader = openBatchLoader(data, largestRankBatch(batchSize, ranks), { workers: o.dataWorkers ?? defaultDataWorkers(data), prefetch: o.prefetch ?? 2 });
  // Every rank's stop is every rank's (a callback on one rank stops all).
  const agree = (stop: boolean) => (dp === null ? stop : dp.any(stop));
  // Every rank ends with rank 0's model (batch norm statistics are per rank unless synchronised).
  const finish = () => dp?.broadcastModel();
  try {
    for (let epoch = start?.epoch ?? 0; epoch < o.epochs; epoch++) {
      const epochRngState = dataRng.getState();
      const order = Int32Array.from({ length: data.length }, (_, i) => i);
      if (o.shuffle ?? true) dataRng.shuffle(order);
      const resumed = start !== null && start.epoch === epoch ? start : null;
      let lossSum = resumed?.lossSum ?? 0, correct = resumed?.correct ?? 0, seen = resumed?.seen ?? 0;
      const t0 = Date.now() - (resumed?.elapsedMs ?? 0);
      const mine = dp === null ? { order, offsets: global } : rankOrder(order, global, dp.rank, dp.size);
      // Augmentation draws from the epoch's starting generator state, which a
      // checkpoint keeps: a resumed run augments exactly as the uninterrupted one.
      loader.beginEpoch(mine.order, resumed?.batchesDone ?? 0, { seed: epochRngState, epoch }, mine.offsets);
      let dataMs = 0;
      if (agree(yield { kind: 'epochBegin', epoch, logs: { batches, batchesDone: resumed?.batchesDone ?? 0 } })) return finish();
      for (let b = resumed?.batchesDone ?? 0; b < batches; b++) {
        const asked = performance.now();
        const { x, y } = loader.take(b);
        dataMs += performance.now() - asked;
        const globalCount = global[b + 1]! - global[b]!;
        const r = dp === null ? trainStep(setup, x, y) : dataParallelStep(setup, x, y, dp, globalCount);
        if (!Number.isFinite(r.loss) && (o.terminateOnNaN ?? true)) {
          // Keras' TerminateOnNaN: the weights are spoiled, so stop before
          // anything (a checkpoint, the epoch's logs) records them.
          history.stoppedBy = 'nonFiniteLoss';
          history.stopReason = `the loss became ${r.loss} at epoch ${epoch + 1}, batch ${b + 1} of ${batches}; ` +
            'training stopped (a learning rate too high is the usual cause; the last checkpoint, if any, holds the weights before it)';
          return;
        }
        lossSum += r.loss * globalCount;
        correct += r.correct;
        seen += globalCount;
        const save = leader && o.checkpointPath !== undefined && o.checkpointEvery !== undefined && (b + 1) % o.checkpointEvery === 0 && b + 1 < batches;
        if (save) {
          writeCheckpoint(o.checkpointPath!, setup, {
            epoch, batchesDone: b + 1, dataRngState: epochRngState, lossSum, correct, seen, elapsedMs: Date.now() - t0, history: history.epochs,
          });
        }
        const stop = agree(yield { kind: 'batch', epoch, logs: { batch: b, batches, loss: lossSum / seen, accuracy: correct / seen } });
        if (stop) return finish();
      }
      start = null;
      const trainSeconds = (Date.now() - t0) / 1000;
      const logs: EpochLogs = { epoch, loss: lossSum / seen, accuracy: correct / seen, lr: setup.optimizer.paramGroups[0]!.options.lr, seconds: 0,
        trainSeconds, dataSeconds: dataMs / 1000 };
      // Rank 0's batch norm statistics for every rank (they are per rank unless synchronised).
      dp?.broadcastModel();
      if (o.validationData) {
        const v = dp === null ? evaluate(setup, o.validationData) : evaluateSharded(setup, o.validationData, dp);
        logs.valLoss = v.loss;
        logs.valAccuracy = v.accuracy;
      }
      logs.seconds = (Date.now() - t0) / 1000;
      setup.scheduler?.step();
      history.epochs.push(logs);
      if (leader && o.checkpointPath !== undefined) {
        writeCheckpoint(o.checkpointPath, setup, {
          epoch: epoch + 1, batchesDone: 0, dataRngState: dataRng.getState(), lossSum: 0, correct: 0, seen: 0, elapsedMs: 0, history: history.epochs,
        });
      }
      const stop = agree(yield { kind: 'epoch', epoch, logs });
      if (stop) return finish();
    }
    finish();
  } finally {
    loader.close();
  }
}
