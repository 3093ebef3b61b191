// The training worker (see fit-worker.ts): rebuild, drive the run, report, return.
import { parentPort, workerData } from 'node:worker_threads';
import { Dataset } from '../data/dataset';
import { optimizerFromDescription, schedulerFromDescription } from '../optim/registry';
import { globalRng } from '../tensor/random';
import { acceptJob } from '../worker/host';
import { restoreModel } from '../worker/model-snapshot';
import type { History } from './callbacks';
import { driveRun } from './driver';
import type { SharedDataset, TrainJob, TrainMessage } from './fit-worker';
import { run } from './run';
import type { TrainSetup } from './setup';

function dataset(d: SharedDataset): Dataset {
  return new Dataset(d.images, d.labels, d.shape, d.numClasses, d.options);
}

function post(msg: TrainMessage): void {
  parentPort!.postMessage(msg);
}

function main(job: TrainJob): void {
  globalRng.setState(job.globalRngState);
  const model = restoreModel(job.model);
  const optimizer = optimizerFromDescription(job.optimizer, model.parameters());
  const scheduler = schedulerFromDescription(job.scheduler, optimizer);
  const setup: TrainSetup = { model, optimizer, scheduler, loss: job.loss };
  const options = { ...job.options, ...(job.validation ? { validationData: dataset(job.validation) } : {}) };
  const flags = new Int32Array(job.control);
  const history: History = { epochs: [], seconds: 0 };
  driveRun(run(setup, dataset(job.data), options, history), (event) => {
    Atomics.store(flags, 0, 0);
    post({ type: 'event', event });
    Atomics.wait(flags, 0, 0);
    return Atomics.load(flags, 1) === 1;
  });
  post({
    type: 'done', epochs: history.epochs, optimizer: optimizer.stateDict(), schedulerEpoch: scheduler?.epoch ?? null,
    globalRngState: globalRng.getState(),
    ...(history.stoppedBy !== undefined ? { stoppedBy: history.stoppedBy } : {}),
    ...(history.stopReason !== undefined ? { stopReason: history.stopReason } : {}),
    state: Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.data])),
  });
}

try {
  main(acceptJob<TrainJob>(workerData));
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  post({ type: 'error', name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
}
