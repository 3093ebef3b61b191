// The data section of the bench: the image pipeline alone, convnode against
// PyTorch's DataLoader + torchvision + PIL on the same folder of JPEGs
// (96x96 RGB, written here once and kept in the temp folder), at 1 and all
// workers; and end to end, how much of a ResNet-20 training epoch on that
// folder waits for data.
//
// The two pipelines differ by design, so both halves are reported:
// convnode decodes every file once (in `workers` decode threads, by the
// library image-decoders.ts picks) and keeps the bytes; each epoch then
// crops, flips and normalises in `workers` loader threads. torchvision
// decodes every file again every epoch in `workers` processes. The fair
// comparison for one epoch is convnode's decode + one epoch against one of
// PyTorch's epochs; later epochs are convnode's epoch alone.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readImageFolder } from '../../lib/data/image-folder';
import { loadSharp } from '../../lib/data/image-decoders';
import { openBatchLoader } from '../../lib/data/loader';
import type { Dataset } from '../../lib/data/dataset';
import { resnet20 } from '../../lib/models/resnet';
import { SGD } from '../../lib/optim/sgd';
import { manualSeed, Rng } from '../../lib/tensor/random';
import { fit } from '../../lib/train/fit';
import { benchScript, peerEnv, torchPython } from './pytorch';
import { setNumThreads, useBackend } from '../../lib/backend';

export interface PipelineRow {
  workers: number;
  /** Seconds to decode the folder once (convnode). */
  decode: number;
  /** Seconds of one epoch of crop + flip + normalise from the decoded bytes (convnode, a later epoch). */
  epoch: number;
  /** Seconds of one of PyTorch's epochs (decode + transforms; its second epoch), or why there is none. */
  pytorch: number | { missing: string };
}

export interface PipelineResults {
  images: number;
  size: number;
  crop: number;
  batch: number;
  decoder: string;
  pytorchVersions?: string;
  rows: PipelineRow[];
  /** End to end: ResNet-20 on the folder resized to 32x32 with crop + flip, one data worker. */
  endToEnd?: { images: number; seconds: number; dataSeconds: number; trainSeconds: number };
}

const SIZE = 96, CROP = 64, BATCH = 128, CLASSES = 10;
const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/** The folder of `count` JPEGs (written once, then reused): class k is a disc of hue k on a noisy gradient. */
async function jpegFolder(count: number): Promise<string> {
  const dir = path.join(os.tmpdir(), `convnode-bench-jpegs-${count}`);
  const done = path.join(dir, '.complete');
  if (fs.existsSync(done)) return dir;
  const sharp = loadSharp() as unknown as ((input: Buffer, o: { raw: { width: number; height: number; channels: 3 } }) => { jpeg(o: { quality: number }): { toFile(f: string): Promise<unknown> } }) | null;
  if (sharp === null) throw new Error('the data section needs sharp to write its JPEG folder (npm install sharp)');
  fs.rmSync(dir, { recursive: true, force: true });
  for (let k = 0; k < CLASSES; k++) fs.mkdirSync(path.join(dir, `class${k}`), { recursive: true });
  const rng = new Rng(2026);
  let next = 0;
  const one = async (i: number) => {
    const k = i % CLASSES, px = Buffer.alloc(SIZE * SIZE * 3);
    const cx = SIZE * (0.3 + 0.4 * rng.next()), cy = SIZE * (0.3 + 0.4 * rng.next()), r = SIZE * (0.15 + 0.2 * rng.next());
    const hue = [Math.cos(k), Math.cos(k + 2.1), Math.cos(k + 4.2)].map((v) => 128 + 100 * v);
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const inside = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
        for (let c = 0; c < 3; c++) px[(y * SIZE + x) * 3 + c] = Math.max(0, Math.min(255, (inside ? hue[c]! : (x + y + 40 * c) % 256) + 40 * (rng.next() - 0.5)));
      }
    }
    await sharp(px, { raw: { width: SIZE, height: SIZE, channels: 3 } }).jpeg({ quality: 90 }).toFile(path.join(dir, `class${k}`, `${String(i).padStart(6, '0')}.jpg`));
  };
  await Promise.all(Array.from({ length: 8 }, async () => { while (next < count) await one(next++); }));
  fs.writeFileSync(done, '');
  return dir;
}

/** One epoch through the loader (batches taken, nothing trained), seconds. */
function loaderEpoch(data: Dataset, workers: number, epochs: number): number {
  const loader = openBatchLoader(data, BATCH, { workers });
  try {
    let seconds = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = Int32Array.from({ length: data.length }, (_, i) => i);
      new Rng(epoch).shuffle(order);
      const t0 = performance.now();
      loader.beginEpoch(order, 0, { seed: 5, epoch });
      for (let b = 0; b < Math.ceil(data.length / BATCH); b++) loader.take(b);
      seconds = (performance.now() - t0) / 1000;
    }
    return seconds; // the last epoch's: the workers are started
  } finally {
    loader.close();
  }
}

function pytorchEpoch(dir: string, workers: number): { seconds: number; versions: string } | { missing: string } {
  const script = benchScript('pytorch_pipeline.py'), python = torchPython('torchvision');
  if (script === undefined) return { missing: 'bench/pytorch_pipeline.py is not in this install' };
  if (python === undefined) return { missing: 'no python3 that can import torchvision (Debian: apt-get install python3-torchvision)' };
  const r = spawnSync(python, [script, dir, String(workers), String(BATCH), '2'], { env: peerEnv(1), encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return { missing: `pytorch_pipeline.py failed: ${r.stderr.trim().split('\n').at(-1) ?? r.status}` };
  const out = JSON.parse(r.stdout) as { seconds: number[]; versions: string };
  return { seconds: out.seconds.at(-1)!, versions: out.versions };
}

export async function pipelineBench(quick: boolean, maxThreads: number, peers: boolean, log: (line: string) => void): Promise<PipelineResults> {
  const images = quick ? 512 : 20000;
  const dir = await jpegFolder(images);
  const sharp = loadSharp() as unknown as { concurrency(n: number): number } | null;
  const before = sharp?.concurrency(1);
  const results: PipelineResults = { images, size: SIZE, crop: CROP, batch: BATCH, decoder: '', rows: [] };
  try {
    for (const workers of maxThreads > 1 ? [1, maxThreads] : [1]) {
      let t0 = performance.now();
      const folder = await readImageFolder(dir, { size: SIZE, workers, ...IMAGENET });
      const decode = (performance.now() - t0) / 1000;
      results.decoder = Object.entries(folder.decoders).map(([d, n]) => `${d}: ${n} files`).join(', ');
      const data = folder.dataset.withAugment({ resizedCrop: { size: CROP }, flip: {} });
      const epoch = loaderEpoch(data, workers, 2);
      t0 = performance.now();
      const torch = peers ? pytorchEpoch(dir, workers) : { missing: 'peers not run (--no-peers)' };
      if ('versions' in torch) results.pytorchVersions = torch.versions;
      const row: PipelineRow = { workers, decode, epoch, pytorch: 'seconds' in torch ? torch.seconds : torch };
      results.rows.push(row);
      log(`data ${workers} worker(s): convnode decode ${(images / decode).toFixed(0)} images/s, epoch ${(images / epoch).toFixed(0)} images/s; ` +
        `pytorch ${typeof row.pytorch === 'number' ? `${(images / row.pytorch).toFixed(0)} images/s` : row.pytorch.missing}`);
    }
    // End to end: ResNet-20 on the folder at 32x32, crop + flip, the default data worker,
    // on the native backend at every thread (the sections before may have left another).
    useBackend('native');
    setNumThreads(maxThreads);
    const small = await readImageFolder(dir, { size: 32, ...IMAGENET });
    const train = small.dataset.take(quick ? 256 : 4096).withAugment({ crop: { size: 32, padding: 4 }, flip: {} });
    manualSeed(1);
    const model = resnet20({ inChannels: 3, numClasses: CLASSES });
    const h = await fit({ model, optimizer: new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }) }, train, { epochs: 1, batchSize: BATCH, seed: 1, verbose: false });
    const e = h.epochs[0]!;
    results.endToEnd = { images: train.length, seconds: e.seconds, dataSeconds: e.dataSeconds!, trainSeconds: e.trainSeconds! };
    log(`data end to end: resnet20 epoch of ${train.length} images waited ${(100 * e.dataSeconds! / e.trainSeconds!).toFixed(2)}% of ${e.trainSeconds!.toFixed(1)} s for data`);
    return results;
  } finally {
    if (before !== undefined) sharp!.concurrency(before);
  }
}
