// fit() in a worker thread, the caller's side. The worker (worker.ts)
// rebuilds the model, optimizer and scheduler from their descriptions,
// shares the dataset (SharedArrayBuffer, no copy when it already is one)
// and drives the same run. After every batch it posts the event and blocks
// on a shared flag until this thread has run the callbacks and answered go
// on / stop, so callbacks see exactly what they would see in-thread while
// the event loop stays free. At the end the trained state comes back into
// the caller's objects.
import type { Dataset, DatasetOptions } from '../data/dataset';
import { describeOptimizer, describeScheduler, type OptimizerDescription, type SchedulerDescription } from '../optim/registry';
import type { OptimizerState } from '../optim/optimizer';
import { globalRng } from '../tensor/random';
import { startWorker, workerScriptPath } from '../worker/host';
import { loadState, snapshotModel, type ModelSnapshot } from '../worker/model-snapshot';
import type { EpochLogs, History } from './callbacks';
import { CallbackSession } from './dispatch';
import type { Event, FitOptions } from './run';
import type { LossName, TrainSetup } from './setup';

export interface SharedDataset {
  images: Float32Array | Uint8Array;
  labels: Int32Array;
  shape: [number, number, number];
  numClasses: number;
  options: DatasetOptions;
}

export interface TrainJob {
  model: ModelSnapshot;
  optimizer: OptimizerDescription;
  scheduler: SchedulerDescription | null;
  loss: LossName;
  options: Omit<FitOptions, 'callbacks' | 'signal' | 'validationData' | 'verbose' | 'worker'>;
  data: SharedDataset;
  validation: SharedDataset | null;
  globalRngState: number;
  /** [0]: 1 when the answer is posted; [1]: 1 to stop. */
  control: SharedArrayBuffer;
}

export type TrainMessage =
  | { type: 'event'; event: Event }
  | {
      type: 'done'; epochs: EpochLogs[]; state: Record<string, Float32Array>; optimizer: OptimizerState; schedulerEpoch: number | null;
      globalRngState: number; stoppedBy?: History['stoppedBy']; stopReason?: string;
    }
  | { type: 'error'; name: string; message: string; stack?: string };

/** The dataset as the worker receives it: shared memory, no copy (Dataset.share keeps the one copy it ever makes). */
async function share(d: Dataset): Promise<SharedDataset> {
  const s = await d.share();
  return { images: s.images, labels: s.labels, shape: [...s.imageShape], numClasses: s.numClasses, options: s.options };
}

/** The job, or null when this run cannot move to a worker (then fit() trains in-thread). */
async function trainJob(setup: TrainSetup, data: Dataset, options: FitOptions): Promise<TrainJob | null> {
  const optimizer = describeOptimizer(setup.optimizer, setup.model.parameters());
  const scheduler = describeScheduler(setup.scheduler);
  if (optimizer === null || scheduler === undefined) return null;
  let model: ModelSnapshot;
  try {
    model = snapshotModel(setup.model);
  } catch {
    return null;
  }
  const { callbacks: _c, signal: _s, validationData, verbose: _v, worker: _w, ...plain } = options;
  return {
    model, optimizer, scheduler, loss: setup.loss ?? 'crossEntropy', options: plain,
    data: await share(data), validation: validationData ? await share(validationData) : null,
    globalRngState: globalRng.getState(), control: new SharedArrayBuffer(8),
  };
}

/** Null when this run cannot move to a worker (then fit() trains in-thread). */
export async function fitInWorker(setup: TrainSetup, data: Dataset, options: FitOptions): Promise<History | null> {
  const job = await trainJob(setup, data, options);
  if (job === null || workerScriptPath('train/worker') === null) return null;
  const session = new CallbackSession(options);
  await session.begin();
  const worker = startWorker('train/worker', job)!;
  const flags = new Int32Array(job.control);
  await new Promise<void>((resolve, reject) => {
    let finished = false;
    const answer = (stop: boolean) => {
      Atomics.store(flags, 1, stop ? 1 : 0);
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
    };
    worker.on('message', (msg: TrainMessage) => {
      if (msg.type === 'event') {
        session.answer(msg.event).then(answer, (err: unknown) => {
          finished = true;
          void worker.terminate();
          reject(err);
        });
      } else if (msg.type === 'done') {
        finished = true;
        loadState(setup.model, msg.state);
        setup.optimizer.loadStateDict(msg.optimizer);
        if (setup.scheduler && msg.schedulerEpoch !== null) {
          setup.scheduler.epoch = msg.schedulerEpoch;
          setup.scheduler.apply();
        }
        globalRng.setState(msg.globalRngState);
        session.history.epochs.push(...msg.epochs);
        // A stop the run itself decided (a non-finite loss).
        if (msg.stoppedBy !== undefined) session.history.stoppedBy = msg.stoppedBy;
        if (msg.stopReason !== undefined) session.history.stopReason = msg.stopReason;
        resolve();
      } else {
        finished = true;
        // The worker's TypeError or RangeError stays one here.
        const Ctor = msg.name === 'TypeError' ? TypeError : msg.name === 'RangeError' ? RangeError : Error;
        const err = new Ctor(msg.message);
        err.name = msg.name;
        if (msg.stack) err.stack = msg.stack;
        reject(err);
      }
    });
    worker.on('error', (err) => { finished = true; reject(err); });
    worker.on('exit', (code) => { if (!finished) reject(new Error(`convnode: the training worker exited with code ${code} before finishing`)); });
  }).finally(() => void worker.terminate());
  return session.end();
}
