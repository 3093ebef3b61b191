// The training worker (see fit-worker.ts): rebuild, train, report, return.
import { parentPort, workerData } from 'node:worker_threads';
import { setIsa, setNumThreads, useBackend } from '../backend';
import type { IsaName } from '../backend/types';
import { Dataset } from '../data/dataset';
import { moduleFromSpec } from '../nn/registry';
import '../nn/residual';
import { optimizerFromDescription, schedulerFromDescription } from '../optim/registry';
import { globalRng } from '../tensor/random';
import { Tensor } from '../tensor/tensor';
import type { History } from './callbacks';
import type { SharedDataset, WorkerInit, WorkerMessage } from './fit-worker';
import { run, type TrainSetup } from './loop';

function dataset(d: SharedDataset): Dataset {
  return new Dataset(d.images, d.labels, d.shape, d.numClasses);
}

function post(msg: WorkerMessage): void {
  parentPort!.postMessage(msg);
}

function main(init: WorkerInit): void {
  useBackend(init.backend);
  if (init.backend === 'native') {
    if (init.numThreads !== null) setNumThreads(init.numThreads);
    if (init.isa !== null) setIsa(init.isa as IsaName);
  }
  globalRng.setState(init.globalRngState);
  const model = moduleFromSpec(init.spec as never);
  model.loadStateDict(Object.fromEntries(Object.entries(init.state).map(([k, t]) => [k, new Tensor(t.data, t.shape)])));
  const optimizer = optimizerFromDescription(init.optimizer, model.parameters());
  const scheduler = schedulerFromDescription(init.scheduler, optimizer);
  const setup: TrainSetup = { model, optimizer, scheduler, loss: init.loss };
  const options = { ...init.options, ...(init.validation ? { validationData: dataset(init.validation) } : {}) };
  const flags = new Int32Array(init.control);
  const history: History = { epochs: [], seconds: 0 };
  const it = run(setup, dataset(init.data), options, history);
  let stop = false;
  for (let step = it.next(false); !step.done; step = it.next(stop)) {
    Atomics.store(flags, 0, 0);
    post({ type: 'event', event: step.value });
    Atomics.wait(flags, 0, 0);
    stop = Atomics.load(flags, 1) === 1;
  }
  post({
    type: 'done', epochs: history.epochs, optimizer: optimizer.stateDict(), schedulerEpoch: scheduler?.epoch ?? null,
    globalRngState: globalRng.getState(),
    state: Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.data])),
  });
}

try {
  main(workerData as WorkerInit);
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  post({ type: 'error', name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
}
