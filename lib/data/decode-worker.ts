// An image decode worker (decode-pool.ts): decodes the files it claims into
// the shared byte array, then reports its failures and decoder counts.
import { parentPort, workerData } from 'node:worker_threads';
import { decodeClaimed, type DecodeJob } from './decode-pool';

decodeClaimed(workerData as DecodeJob).then(
  (report) => parentPort!.postMessage(report),
  (err: unknown) => parentPort!.postMessage({ error: (err as Error).message }),
);
