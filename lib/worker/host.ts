// Worker threads for convnode's own jobs (fit in a worker, InferenceSession):
// finding the compiled worker script and starting it with this thread's
// backend. The native settings (threads, ISA path) need no passing: they
// are process-wide in the addon, which every thread of the process shares.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { backend, useBackend } from '../backend';
import type { BackendName } from '../backend/types';

/** The scripts, by their path under lib/ without the extension (bench/tsconfig.json compiles each too). */
export const WORKER_SCRIPTS = ['train/worker', 'inference/worker', 'data/loader-worker', 'data/decode-worker'] as const;
export type WorkerScript = (typeof WORKER_SCRIPTS)[number];

/** What every convnode worker receives besides its job's data. */
export interface WorkerEnvelope<T> {
  backend: BackendName;
  job: T;
}

/** The compiled script: in this compiled tree, or in dist/ when running from the TypeScript sources (tests). */
export function workerScriptPath(script: WorkerScript): string | null {
  for (const p of [path.resolve(__dirname, '..', `${script}.js`), path.resolve(__dirname, '..', '..', 'dist', `${script}.js`)]) {
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** Starts `script` with `job`, on this thread's backend; null when the script is not built. */
export function startWorker<T>(script: WorkerScript, job: T): Worker | null {
  const file = workerScriptPath(script);
  if (file === null) return null;
  const envelope: WorkerEnvelope<T> = { backend: backend().name, job };
  return new Worker(file, { workerData: envelope });
}

/** In the worker: takes up the starting thread's backend and returns the job. */
export function acceptJob<T>(workerData: unknown): T {
  const envelope = workerData as WorkerEnvelope<T>;
  useBackend(envelope.backend);
  return envelope.job;
}
