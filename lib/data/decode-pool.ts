// Decoding a list of image files into one shared byte array, in worker
// threads (decode-worker.ts) so the calling thread's event loop stays free
// and the files are decoded `workers` at a time: each worker claims the
// next file from a shared counter, decodes it (image-decoders.ts) and
// writes its bytes in place. Where the worker script is not built, the
// files are decoded on this thread, one after another.
import { Worker } from 'node:worker_threads';
import { workerScriptPath } from '../worker/host';
import { sharedArray } from './dataset';
import { decodeFailure, decodeFile, decoderTools, type DecodeSettings, type ImageDecoder } from './image-decoders';

/** What a decode worker receives. */
export interface DecodeJob {
  files: string[];
  settings: DecodeSettings;
  /** files.length * bytes per image, in a SharedArrayBuffer. */
  images: Uint8Array;
  /** [0]: the next file to claim. A worker that must stop the others sets it past the end. */
  next: Int32Array;
  /** Stop at the first failure (no skipInvalid). */
  stopOnFailure: boolean;
}

/** What a decode worker answers when it has no file left. */
export interface DecodeReport {
  failures: Array<{ index: number; reason: string }>;
  decoders: Partial<Record<ImageDecoder, number>>;
}

export interface DecodedFiles extends DecodeReport {
  /** Image k at k * bytes per image; a failed file's bytes are zeros. */
  images: Uint8Array;
}

/** Decodes claimed files until none is left (or, with stopOnFailure, one fails); the worker's loop, and this thread's fallback. */
export async function decodeClaimed(job: DecodeJob): Promise<DecodeReport> {
  const tools = decoderTools(job.settings.decoder);
  const { size, channels } = job.settings, per = channels * size * size;
  const report: DecodeReport = { failures: [], decoders: {} };
  for (let k = Atomics.add(job.next, 0, 1); k < job.files.length; k = Atomics.add(job.next, 0, 1)) {
    try {
      const by = await decodeFile(job.files[k]!, job.settings, tools, job.images.subarray(k * per, (k + 1) * per));
      report.decoders[by] = (report.decoders[by] ?? 0) + 1;
    } catch (err) {
      report.failures.push({ index: k, reason: decodeFailure(job.files[k]!, err) });
      job.images.fill(0, k * per, (k + 1) * per); // whatever a failed decode wrote
      if (job.stopOnFailure) Atomics.store(job.next, 0, job.files.length);
    }
  }
  return report;
}

function runWorker(script: string, job: DecodeJob): Promise<DecodeReport> {
  return new Promise((resolve, reject) => {
    const w = new Worker(script, { workerData: job });
    let answered = false;
    w.once('message', (r: DecodeReport | { error: string }) => {
      answered = true;
      if ('error' in r) reject(new Error(r.error));
      else resolve(r);
    });
    w.once('error', reject);
    w.once('exit', (code) => { if (!answered) reject(new Error(`convnode: an image decode worker exited with code ${code} before finishing`)); });
  });
}

/** Decodes `files` with `workers` threads (see the top of this file). */
export async function decodeFiles(files: string[], settings: DecodeSettings, options: { workers: number; stopOnFailure: boolean }): Promise<DecodedFiles> {
  decoderTools(settings.decoder); // the error for a decoder that does not load, here
  const job: DecodeJob = {
    files, settings, images: sharedArray(Uint8Array, files.length * settings.channels * settings.size * settings.size),
    next: sharedArray(Int32Array, 1), stopOnFailure: options.stopOnFailure,
  };
  const script = workerScriptPath('data/decode-worker');
  const workers = Math.max(1, Math.min(options.workers, files.length));
  const reports = script === null ? [await decodeClaimed(job)] : await Promise.all(Array.from({ length: workers }, () => runWorker(script, job)));
  const out: DecodedFiles = { images: job.images, failures: [], decoders: {} };
  for (const r of reports) {
    out.failures.push(...r.failures);
    for (const [d, n] of Object.entries(r.decoders) as Array<[ImageDecoder, number]>) out.decoders[d] = (out.decoders[d] ?? 0) + n;
  }
  out.failures.sort((a, b) => a.index - b.index);
  return out;
}
