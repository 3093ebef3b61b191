// Training runs: learning on a synthetic task, callbacks and stopping,
// checkpoint -> kill -> resume giving the same weights as an uninterrupted
// run, the event loop staying responsive during async training, and both
// backends training to the same accuracy band.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { patchTask, tinyCnn } from './patch-task';
import { useBackend } from '../lib/backend';
import { Dataset } from '../lib/data/dataset';
import { embeddedMnistDir, loadMnistFolder } from '../lib/data/mnist';
import { decodeSafetensors } from '../lib/io/safetensors';
import { lenet } from '../lib/models';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU } from '../lib/nn/layers';
import { Sequential } from '../lib/nn/sequential';
import { Adam } from '../lib/optim/adam';
import { SGD } from '../lib/optim/sgd';
import { manualSeed } from '../lib/tensor/random';
import { EarlyStopping } from '../lib/train/callbacks';
import { ProgressReporter } from '../lib/train/progress';
import { fit, fitSync } from '../lib/train/fit';
import { evaluate } from '../lib/train/step';

const root = path.resolve(__dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-train-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('fit', () => {
  it('learns the patch task and reports a full history', async () => {
    manualSeed(1);
    const model = tinyCnn();
    const history = await fit({ model, optimizer: new Adam(model.parameters(), { lr: 0.01 }) }, patchTask(256, 1), {
      epochs: 4, batchSize: 16, validationData: patchTask(128, 2), verbose: false, seed: 3,
    });
    expect(history.epochs).toHaveLength(4);
    expect(history.epochs[3]!.valAccuracy).toBeGreaterThan(0.95);
    expect(history.epochs[3]!.loss).toBeLessThan(history.epochs[0]!.loss);
    expect(history.stoppedBy).toBeUndefined();
  });

  it('early stopping, a callback returning stop, and an AbortSignal each end training', async () => {
    manualSeed(2);
    const data = patchTask(64, 3);
    const model = tinyCnn();
    const setup = { model, optimizer: new SGD(model.parameters(), { lr: 0 }) }; // lr 0: the loss never improves
    const early = await fit(setup, data, { epochs: 10, batchSize: 16, validationData: data, verbose: false, callbacks: [new EarlyStopping({ patience: 2 })] });
    expect(early.stoppedBy).toBe('earlyStopping');
    expect(early.epochs).toHaveLength(3);
    let batches = 0;
    const cb = await fit(setup, data, {
      epochs: 5, batchSize: 16, verbose: false,
      callbacks: [{ onBatchEnd: async () => { batches++; await new Promise((r) => setTimeout(r, 1)); return batches === 6 ? 'stop' : undefined; } }],
    });
    expect([cb.stoppedBy, batches, cb.epochs.length]).toEqual(['callback', 6, 1]);
    const controller = new AbortController();
    const aborted = fitSync(setup, data, {
      epochs: 5, batchSize: 16, verbose: false, signal: controller.signal,
      callbacks: [{ onEpochEnd: () => controller.abort() }],
    });
    expect([aborted.stoppedBy, aborted.epochs.length]).toEqual(['abort', 1]);
  });

  it('a run in the worker thread ends with exactly the weights and optimizer state of the same run in-thread', async () => {
    const results = [];
    for (const worker of [true, false]) {
      manualSeed(6);
      const model = tinyCnn();
      const optimizer = new Adam(model.parameters(), { lr: 0.01 });
      const h = await fit({ model, optimizer }, patchTask(96, 4), { epochs: 2, batchSize: 16, verbose: false, seed: 2, worker });
      results.push({ weights: model.parameters().map((p) => Array.from(p.data)), opt: optimizer.stateDict(), losses: h.epochs.map((e) => e.loss) });
    }
    expect(results[0]).toEqual(results[1]);
  });

  it('stops at the first non-finite loss, naming the epoch and batch, in the worker and in-thread, and writes no checkpoint of it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-nan-'));
    try {
      for (const worker of [true, false]) {
        manualSeed(7);
        const model = tinyCnn();
        const setup = { model, optimizer: new SGD(model.parameters(), { lr: 1e30 }) };
        const checkpointPath = path.join(dir, `ck-${worker}.safetensors`);
        const h = await fit(setup, patchTask(64, 5), { epochs: 3, batchSize: 8, verbose: false, seed: 1, worker, checkpointPath, checkpointEvery: 1 });
        expect(h.stoppedBy, `worker ${worker}`).toBe('nonFiniteLoss');
        expect(h.stopReason).toMatch(/^the loss became (NaN|Infinity) at epoch 1, batch \d+ of 8; training stopped/);
        expect(h.epochs).toHaveLength(0);
        const batch = Number(/batch (\d+)/.exec(h.stopReason!)![1]);
        // A checkpoint was written after each good batch before it, none after.
        expect(fs.existsSync(checkpointPath)).toBe(batch > 1);
        // The option turns it off.
        const on = fitSync({ model: tinyCnn(), optimizer: new SGD(model.parameters(), { lr: 1e30 }) }, patchTask(16, 5), { epochs: 1, batchSize: 8, verbose: false, terminateOnNaN: false });
        expect(on.stoppedBy).toBeUndefined();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad options clearly', () => {
    const model = tinyCnn();
    const setup = { model, optimizer: new SGD(model.parameters(), { lr: 0.1 }) };
    expect(() => fitSync(setup, patchTask(8, 1), { epochs: 0 })).toThrow('fit: epochs must be a positive integer, got 0');
    expect(() => fitSync(setup, patchTask(8, 1), { epochs: 1, batchSize: 2.5 })).toThrow('fit: batchSize must be a positive integer, got 2.5');
  });
});

describe('checkpoints', () => {
  const script = path.join(root, 'test', 'fixtures', 'train-run.js');

  it('kill mid-training, resume from the last checkpoint: the same final weights as an uninterrupted run', async () => {
    const straight = path.join(tmp, 'straight.safetensors');
    const r = spawnSync(process.execPath, [script, straight], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);

    const ckpt = path.join(tmp, 'run.ckpt');
    const killed = path.join(tmp, 'never-written.safetensors');
    const child = spawn(process.execPath, [script, killed, '--checkpoint', ckpt, '--slow', '15']);
    const t0 = Date.now();
    while (!fs.existsSync(ckpt) && Date.now() - t0 < 30000) await new Promise((res) => setTimeout(res, 5));
    await new Promise((res) => setTimeout(res, 200)); // a few more batches and checkpoints
    child.kill('SIGKILL');
    const [, signal] = await new Promise<[number | null, string | null]>((res) => child.on('exit', (c, s) => res([c, s])));
    expect(signal, 'the run was killed, not finished').toBe('SIGKILL');
    expect(fs.existsSync(killed)).toBe(false);
    const meta = JSON.parse(decodeSafetensors(fs.readFileSync(ckpt)).metadata['convnode']!);
    expect(meta.state.epoch * 16 + meta.state.batchesDone, 'checkpoint is mid-run').toBeLessThan(48);

    const resumed = path.join(tmp, 'resumed.safetensors');
    const r2 = spawnSync(process.execPath, [script, resumed, '--resume', ckpt], { encoding: 'utf8' });
    expect(r2.status, r2.stderr).toBe(0);
    const a = decodeSafetensors(fs.readFileSync(straight)).tensors;
    const b = decodeSafetensors(fs.readFileSync(resumed)).tensors;
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a)) expect(Buffer.from(b[k]!.data.buffer).equals(Buffer.from(a[k]!.data.buffer)), k).toBe(true);
    expect(JSON.parse(r2.stdout)).toEqual(JSON.parse(r.stdout)); // per-epoch losses too
  }, 120000);
});

describe('a responsive event loop', () => {
  it('a 1 ms interval keeps its p99 lag under 20 ms while LeNet trains asynchronously', async () => {
    useBackend('native');
    const data = loadMnistFolder(embeddedMnistDir()).train.take(64 * 60);
    manualSeed(4);
    const model = lenet();
    const lags: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      lags.push(now - last - 1);
      last = now;
    }, 1);
    try {
      await fit({ model, optimizer: new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }) }, data, { epochs: 1, batchSize: 64, verbose: false, seed: 1 });
    } finally {
      clearInterval(timer);
    }
    lags.sort((p, q) => p - q);
    const p99 = lags[Math.floor(0.99 * (lags.length - 1))]!;
    expect(lags.length).toBeGreaterThan(50);
    console.log(`event-loop lag while training LeNet: p50 ${lags[Math.floor(0.5 * (lags.length - 1))]!.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${lags[lags.length - 1]!.toFixed(2)} ms over ${lags.length} ticks`);
    expect(p99).toBeLessThan(20);
  }, 60000);
});

describe('the progress bar', () => {
  it('shows the real batch count from its first frame, and where a resumed epoch starts', async () => {
    const stream = Object.assign(new PassThrough(), {
      isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true,
    });
    let out = '';
    stream.on('data', (d: Buffer) => (out += d.toString()));
    const bar = new ProgressReporter(2, stream as unknown as NodeJS.WriteStream);
    bar.onEpochBegin(0, { batches: 7, batchesDone: 0 });
    bar.onEpochEnd(0, { epoch: 0, loss: 1, accuracy: 0.5, lr: 0.1, seconds: 1 });
    bar.onEpochBegin(1, { batches: 7, batchesDone: 3 });
    await new Promise((resolve) => setImmediate(resolve));
    bar.onEpochEnd(1, { epoch: 1, loss: 1, accuracy: 0.5, lr: 0.1, seconds: 1 });
    const frames = out.split('\x1b[1G').filter((f) => f.startsWith('epoch'));
    expect(frames[0]).toMatch(/^epoch 1\/2 \[.*\] 0\/7 batches/);
    expect(frames.some((f) => /^epoch 2\/2 \[.*\] 3\/7 batches/.test(f))).toBe(true);
    expect(out).not.toMatch(/\/1 batches/);
  });
});

describe('datasets in shared memory', () => {
  it('the loaders create them there, so fit hands them to its worker without a copy', () => {
    const { train, test } = loadMnistFolder(embeddedMnistDir());
    expect(train.isShared && test.isShared && train.take(10).isShared).toBe(true);
  });

  it('share() copies an ordinary dataset once, in slices that let the event loop run, and keeps the copy', async () => {
    const n = 50_000, per = 3 * 16 * 16; // 38.4 M floats: 154 MB, 10 slices
    const images = new Float32Array(n * per);
    for (let i = 0; i < images.length; i += 997) images[i] = i;
    const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
    const data = new Dataset(images, labels, [3, 16, 16]);
    expect(data.isShared).toBe(false);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const shared = await data.share();
    clearInterval(timer);
    expect(ticks, 'timers ran while the copy was made').toBeGreaterThanOrEqual(3);
    expect(shared.isShared).toBe(true);
    expect(Buffer.from(shared.images.buffer).equals(Buffer.from(images.buffer)), 'the same images').toBe(true);
    expect(Array.from(shared.labels.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect(await data.share(), 'the second call returns the same copy').toBe(shared);
    expect(await shared.share(), 'a shared dataset is its own').toBe(shared);
  }, 30000);
});

describe('the same short run on both backends', () => {
  it('trains a small CNN on 2000 MNIST digits into the same accuracy band', () => {
    const d = loadMnistFolder(embeddedMnistDir());
    const accuracies = (['native', 'js'] as const).map((name) => {
      useBackend(name);
      manualSeed(9);
      const model = new Sequential(new Conv2d(1, 6, 5, { padding: 2 }), new ReLU(), new MaxPool2d(2), new Conv2d(6, 8, 5), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(200, 10));
      fitSync({ model, optimizer: new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }) }, d.train.take(2000), { epochs: 2, batchSize: 32, verbose: false, seed: 5 });
      return evaluate({ model }, d.test.take(1000)).accuracy;
    });
    useBackend('native');
    for (const a of accuracies) expect(a).toBeGreaterThan(0.8);
    expect(Math.abs(accuracies[0]! - accuracies[1]!)).toBeLessThan(0.05);
  }, 180000);
});
