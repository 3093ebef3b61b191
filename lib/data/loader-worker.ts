// A data loader worker (loader.ts): waits for requested slots, claims one,
// gathers its batch into it, marks it ready; until the loader closes.
import { workerData } from 'node:worker_threads';
import { Dataset } from './dataset';
import { META, Slot, slotBatch, type LoaderJob } from './loader-slots';

const job = workerData as LoaderJob;
const data = new Dataset(job.images, job.labels, job.shape, job.numClasses, job.options);
const { control, state, meta } = job;

/** Claims and fills the requested slot of the earliest batch; false when none is waiting. */
function fillOne(): boolean {
  for (;;) {
    let s = -1;
    for (let t = 0; t < state.length; t++) {
      if (Atomics.load(state, t) === Slot.Requested && (s < 0 || meta[t * META + 3]! < meta[s * META + 3]!)) s = t;
    }
    if (s < 0) return false;
    // Another worker (or the training thread) may have claimed it since: look again.
    if (Atomics.compareExchange(state, s, Slot.Requested, Slot.Working) !== Slot.Requested) continue;
    const { indices, x, y } = slotBatch(job, s);
    let done: Slot = Slot.Ready;
    try {
      data.gatherInto(indices, { seed: meta[s * META + 1]!, epoch: meta[s * META + 2]! }, x, y);
    } catch {
      // The training thread gathers this batch again and throws the error there.
      done = Slot.Failed;
    }
    Atomics.store(state, s, done);
    Atomics.notify(state, s);
    return true;
  }
}

while (Atomics.load(control, 1) === 0) {
  const seen = Atomics.load(control, 0);
  if (!fillOne()) Atomics.wait(control, 0, seen);
}
