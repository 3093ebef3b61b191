// fit() in a worker thread. The worker rebuilds the model, optimizer and
// scheduler from their descriptions, shares the dataset (SharedArrayBuffer,
// no copy when it already is one), and runs the same loop generator. After
// every batch it posts the event and blocks on a shared flag until this
// thread has run the callbacks and answered go on / stop, so callbacks see
// exactly what they would see in-thread while the event loop stays free.
// At the end the trained state comes back into the caller's objects.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { backend, runtimeInfo } from '../backend';
import type { Dataset } from '../data/dataset';
import { moduleFromSpec } from '../nn/registry';
import { describeOptimizer, describeScheduler, type OptimizerDescription, type SchedulerDescription } from '../optim/registry';
import type { OptimizerState } from '../optim/optimizer';
import { globalRng } from '../tensor/random';
import { Tensor } from '../tensor/tensor';
import type { EpochLogs, History } from './callbacks';
import { callbacksOf, dispatch, stopReason, type Event, type FitOptions, type LossName, type TrainSetup } from './loop';

export interface SharedDataset {
  images: Float32Array;
  labels: Int32Array;
  shape: [number, number, number];
  numClasses: number;
}

export interface WorkerInit {
  spec: unknown;
  state: Record<string, { shape: readonly number[]; data: Float32Array }>;
  optimizer: OptimizerDescription;
  scheduler: SchedulerDescription | null;
  loss: LossName;
  options: Omit<FitOptions, 'callbacks' | 'signal' | 'validationData' | 'verbose' | 'worker'>;
  data: SharedDataset;
  validation: SharedDataset | null;
  backend: 'native' | 'js';
  numThreads: number | null;
  isa: string | null;
  globalRngState: number;
  control: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'event'; event: Event }
  | { type: 'done'; epochs: EpochLogs[]; state: Record<string, Float32Array>; optimizer: OptimizerState; schedulerEpoch: number | null; globalRngState: number }
  | { type: 'error'; name: string; message: string; stack?: string };

function shared<T extends Float32Array | Int32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (b: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

function share(d: Dataset): SharedDataset {
  return { images: shared(d.images), labels: shared(d.labels), shape: [...d.imageShape], numClasses: d.numClasses };
}

/** The compiled worker script: beside this file, or in dist/ when running from the TypeScript sources. */
function workerScript(): string | null {
  for (const p of [path.join(__dirname, 'worker.js'), path.resolve(__dirname, '..', '..', 'dist', 'train', 'worker.js')]) {
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** Null when this run cannot move to a worker (then fit() trains in-thread). */
export async function fitInWorker(setup: TrainSetup, data: Dataset, options: FitOptions): Promise<History | null> {
  const script = workerScript();
  const params = setup.model.parameters();
  const optimizer = describeOptimizer(setup.optimizer, params);
  const scheduler = describeScheduler(setup.scheduler);
  if (script === null || optimizer === null || scheduler === undefined) return null;
  const spec = setup.model.spec();
  try {
    moduleFromSpec(spec);
  } catch {
    return null;
  }
  const info = runtimeInfo();
  const control = new SharedArrayBuffer(8);
  const flags = new Int32Array(control);
  const { callbacks: _c, signal: _s, validationData, verbose: _v, worker: _w, ...plain } = options;
  const init: WorkerInit = {
    spec, optimizer, scheduler, loss: setup.loss ?? 'crossEntropy', options: plain,
    state: Object.fromEntries(Object.entries(setup.model.stateDict()).map(([k, t]) => [k, { shape: t.shape, data: t.data }])),
    data: share(data), validation: validationData ? share(validationData) : null,
    backend: backend().name, numThreads: info.native?.numThreads ?? null, isa: info.native?.isa ?? null,
    globalRngState: globalRng.getState(), control,
  };

  const history: History = { epochs: [], seconds: 0 };
  const t0 = Date.now();
  const cbs = callbacksOf(options);
  for (const c of cbs) await c.onTrainBegin?.();
  const worker = new Worker(script, { workerData: init });
  await new Promise<void>((resolve, reject) => {
    let finished = false;
    const answer = (stop: boolean) => {
      Atomics.store(flags, 1, stop ? 1 : 0);
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
    };
    worker.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'event') {
        Promise.all(dispatch(cbs, msg.event, undefined, (r) => r)).then((results) => {
          if (options.signal?.aborted) results.push('abort');
          const reason = stopReason(cbs, results);
          if (reason !== undefined) history.stoppedBy = reason;
          answer(reason !== undefined);
        }, (err: unknown) => {
          finished = true;
          void worker.terminate();
          reject(err);
        });
      } else if (msg.type === 'done') {
        finished = true;
        const own = setup.model.stateDict();
        setup.model.loadStateDict(Object.fromEntries(Object.entries(msg.state).map(([k, d]) => [k, new Tensor(d, own[k]!.shape)])));
        setup.optimizer.loadStateDict(msg.optimizer);
        if (setup.scheduler && msg.schedulerEpoch !== null) {
          setup.scheduler.epoch = msg.schedulerEpoch;
          setup.optimizer.setLr(setup.scheduler.lr);
        }
        globalRng.setState(msg.globalRngState);
        history.epochs.push(...msg.epochs);
        resolve();
      } else {
        finished = true;
        const err = new Error(msg.message);
        err.name = msg.name;
        if (msg.stack) err.stack = msg.stack;
        reject(err);
      }
    });
    worker.on('error', (err) => { finished = true; reject(err); });
    worker.on('exit', (code) => { if (!finished) reject(new Error(`convnode: the training worker exited with code ${code} before finishing`)); });
  }).finally(() => void worker.terminate());
  history.seconds = (Date.now() - t0) / 1000;
  for (const c of cbs) await c.onTrainEnd?.(history);
  return history;
}
