// fit, fitSync and fitInThread: the ways to train, each a CallbackSession
// (dispatch.ts) answering the events of one run (run.ts) through the one
// driver (driver.ts).
import type { Dataset } from '../data/dataset';
import { defaultDataWorkers } from '../data/loader';
import { init as initDistributed } from '../distributed';
import type { History } from './callbacks';
import { CallbackSession } from './dispatch';
import { driveRun, driveRunAsync } from './driver';
import { fitInWorker } from './fit-worker';
import { checkOptionKeys } from '../util/options';
import { FIT_OPTION_KEYS, run, type FitOptions } from './run';
import type { TrainSetup } from './setup';

/** Trains in one go on this thread; callbacks must be synchronous (a returned promise is not awaited). */
export function fitSync(setup: TrainSetup, data: Dataset, options: FitOptions): History {
  checkOptionKeys('fitSync', options, FIT_OPTION_KEYS);
  const session = new CallbackSession(options);
  session.beginSync();
  driveRun(run(setup, data, options, session.history), (ev) => session.answerSync(ev));
  return session.endSync();
}

export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Trains asynchronously. By default the loop runs in a worker thread (see
 * FitOptions.worker) and the calling thread only runs the callbacks, so a
 * server stays responsive; the model, optimizer and scheduler are updated
 * in place when it ends, exactly as if it had run here.
 */
export async function fit(setup: TrainSetup, data: Dataset, options: FitOptions): Promise<History> {
  checkOptionKeys('fit', options, FIT_OPTION_KEYS);
  // MPI is joined on this thread (which ends the job at exit), before the worker uses it.
  if (options.distributed) initDistributed();
  if (options.worker ?? true) {
    const viaWorker = await fitInWorker(setup, data, options);
    if (viaWorker !== null) return viaWorker;
  }
  return fitInThread(setup, data, options);
}

/** The async loop on the calling thread, giving the event loop a turn after every batch. */
export async function fitInThread(setup: TrainSetup, data: Dataset, options: FitOptions): Promise<History> {
  checkOptionKeys('fitInThread', options, FIT_OPTION_KEYS);
  // Data workers read the dataset from shared memory.
  const source = (options.dataWorkers ?? defaultDataWorkers(data)) > 0 ? await data.share() : data;
  const session = new CallbackSession(options);
  await session.begin();
  await yieldToEventLoop();
  await driveRunAsync(run(setup, source, options, session.history), async (ev) => {
    const stop = await session.answer(ev);
    await yieldToEventLoop();
    return stop;
  });
  return session.end();
}
