// Inference off the event loop: a worker thread holds a copy of the model
// (weights sent once) and answers predict() calls; requests queue in order.
// For a service that must stay responsive while it serves a model.
import type { Worker } from 'node:worker_threads';
import type { Module } from '../nn/module';
import { Tensor } from '../tensor/tensor';
import { startWorker } from '../worker/host';
import { snapshotModel } from '../worker/model-snapshot';
import type { InferenceReply, InferenceRequest } from './worker';

export class InferenceSession {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (t: Tensor) => void; reject: (e: Error) => void }>();
  private closed = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (r: InferenceReply) => {
      const p = this.pending.get(r.id);
      if (p === undefined) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(new Tensor(r.data, r.shape));
      else {
        const err = new Error(r.message);
        err.name = r.name;
        p.reject(err);
      }
    });
    const failAll = (err: Error) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => { if (!this.closed) failAll(new Error(`convnode: the inference worker exited with code ${code}`)); });
  }

  /** Starts a worker holding a copy of the model (its architecture must be registered, see registerLayer). */
  static create(model: Module): InferenceSession {
    const worker = startWorker('inference/worker', snapshotModel(model));
    if (worker === null) throw new Error('convnode: the inference worker script is missing (run `npm run build:ts`)');
    worker.unref();
    return new InferenceSession(worker);
  }

  /** The model's output for x ([N, ...]), computed in evaluation mode in the worker. */
  predict(x: Tensor, batchSize = 256): Promise<Tensor> {
    if (this.closed) return Promise.reject(new Error('InferenceSession: predict() after close()'));
    if (!(x instanceof Tensor)) return Promise.reject(new TypeError('InferenceSession.predict: x must be a Tensor'));
    const id = this.nextId++;
    const request: InferenceRequest = { id, data: x.data, shape: [...x.shape], batchSize };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage(request);
    }).finally(() => { if (this.pending.size === 0) this.worker.unref(); }) as Promise<Tensor>;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
  }
}

/** One-off asynchronous prediction (starts and stops a session; keep a session for repeated calls). */
export async function predictAsync(model: Module, x: Tensor, batchSize = 256): Promise<Tensor> {
  const session = InferenceSession.create(model);
  try {
    return await session.predict(x, batchSize);
  } finally {
    await session.close();
  }
}
