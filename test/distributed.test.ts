// Data-parallel training over MPI (lib/distributed/), against one process:
// 2 and 3 ranks splitting a global batch reach the weights one process
// reaches on the whole batch (LeNet-like with SGD momentum; a batch norm
// model with synchronised batch norm), also with an uneven split; the
// shards deal every sample exactly once; a resumed run under MPI ends
// where the uninterrupted one does; a rank that throws or is killed ends
// the whole job quickly, naming the rank; the CLI trains under mpirun and
// prints once. Runs with Open MPI's mpirun (.ci/run installs it).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { globalBatchOffsets, rankOrder, rankSlice } from '../lib/distributed/shards';
import { MpiUnavailableError, mpiAddon } from '../lib/distributed/mpi';
import { embeddedMnistDir } from '../lib/data/mnist';

const root = path.resolve(__dirname, '..');
const script = path.join(root, 'test', 'fixtures', 'mpi-train.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnode-mpi-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface RunOut { state: Record<string, number[]>; epochs: Array<{ loss: number; accuracy: number; valLoss?: number }>; size: number }

function mpirun(np: number, args: string[], timeoutMs = 120000) {
  const t0 = Date.now();
  const r = spawnSync('mpirun', ['--allow-run-as-root', '--oversubscribe', '-np', String(np), process.execPath, ...args],
    { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, OMPI_MCA_rmaps_base_oversubscribe: '1' } });
  return { ...r, seconds: (Date.now() - t0) / 1000 };
}

/** Runs mpi-train.js on `np` ranks (0: one process without mpirun) and returns rank 0's output. */
function train(np: number, args: string[]): RunOut {
  const out = path.join(tmp, `out-${np}-${Math.random().toString(36).slice(2)}.json`);
  const r = np === 0 ? spawnSync(process.execPath, [script, out, ...args], { encoding: 'utf8', timeout: 120000 }) : mpirun(np, [script, out, ...args]);
  expect(r.status, `${np} rank(s): ${r.stderr}`).toBe(0);
  return JSON.parse(fs.readFileSync(out, 'utf8')) as RunOut;
}

function maxDiff(a: RunOut, b: RunOut): number {
  let worst = 0;
  for (const [k, v] of Object.entries(a.state)) {
    const w = b.state[k]!;
    expect(w.length, k).toBe(v.length);
    for (let i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(v[i]! - w[i]!));
  }
  return worst;
}

describe('shards', () => {
  it('deal every sample of an epoch exactly once, in slices differing by at most one, merging a last batch smaller than the ranks', () => {
    for (const [samples, batch, ranks] of [[240, 60, 2], [250, 60, 3], [103, 16, 4], [61, 60, 3], [7, 3, 3], [5, 5, 5]] as const) {
      const global = globalBatchOffsets(samples, batch, ranks);
      expect(global[0]).toBe(0);
      expect(global.at(-1)).toBe(samples);
      const order = Int32Array.from({ length: samples }, (_, i) => (i * 7919) % samples);
      const seen = new Int32Array(samples);
      for (let r = 0; r < ranks; r++) {
        const mine = rankOrder(order, global, r, ranks);
        expect(mine.offsets.length).toBe(global.length);
        for (const i of mine.order) seen[i]! += 1;
        for (let b = 0; b + 1 < global.length; b++) {
          const n = mine.offsets[b + 1]! - mine.offsets[b]!, total = global[b + 1]! - global[b]!;
          expect(n, `${samples}/${batch}/${ranks} rank ${r} batch ${b}`).toBeGreaterThanOrEqual(Math.floor(total / ranks));
          expect(n).toBeLessThanOrEqual(Math.ceil(total / ranks));
          expect(n).toBeGreaterThan(0);
        }
      }
      expect(Array.from(seen).every((k) => k === 1), `${samples}/${batch}/${ranks}`).toBe(true);
    }
    // 61 samples in batches of 60 over 3 ranks: the lone last sample joins the first batch.
    expect(Array.from(globalBatchOffsets(61, 60, 3))).toEqual([0, 61]);
    expect(Array.from(globalBatchOffsets(62, 60, 2))).toEqual([0, 60, 62]);
    expect(rankSlice(0, 10, 0, 3)).toEqual([0, 4]);
    expect(rankSlice(0, 10, 2, 3)).toEqual([7, 10]);
    expect(() => globalBatchOffsets(2, 8, 3)).toThrow(/over 3 processes needs at least 3 samples, got 2/);
  });
});

describe('data-parallel training over MPI', () => {
  it('2 and 3 ranks reach the weights of one process on the whole batch (SGD momentum), also split unevenly', () => {
    // 240 samples, batch 60: 4 steps; 250 samples: a last batch of 10, split 5/5 and 4/3/3.
    for (const samples of ['240', '250']) {
      const one = train(0, ['--model', 'lenet', '--samples', samples]);
      for (const np of [2, 3]) {
        const many = train(np, ['--model', 'lenet', '--samples', samples]);
        expect(many.size).toBe(np);
        // Float32 sums in another order (per rank, then across ranks): about 1e-7 relative per
        // step, through 4-5 steps of momentum SGD; the weights are O(0.1-1).
        expect(maxDiff(one, many), `${np} ranks, ${samples} samples`).toBeLessThan(2e-5);
        expect(Math.abs(many.epochs[0]!.loss - one.epochs[0]!.loss)).toBeLessThan(1e-5);
        expect(many.epochs[0]!.accuracy).toBeCloseTo(one.epochs[0]!.accuracy, 10);
      }
    }
  }, 240000);

  it('with synchronised batch norm, 2 ranks reach one process\'s weights and running statistics; without it they do not', () => {
    const one = train(0, ['--model', 'bn', '--samples', '240', '--epochs', '2']);
    const synced = train(2, ['--model', 'bn', '--samples', '240', '--epochs', '2', '--sync-bn']);
    expect(maxDiff(one, synced)).toBeLessThan(5e-5);
    expect(synced.state['1.running_var']).toBeDefined();
    const perRank = train(2, ['--model', 'bn', '--samples', '240', '--epochs', '2']);
    expect(maxDiff(one, perRank)).toBeGreaterThan(1e-3);
  }, 240000);

  it('a run resumed under MPI from its checkpoint ends with the weights of the uninterrupted run', () => {
    const ckpt = path.join(tmp, 'run.ckpt');
    const whole = train(2, ['--model', 'lenet', '--epochs', '2']);
    train(2, ['--model', 'lenet', '--epochs', '1', '--checkpoint', ckpt]);
    const resumed = train(2, ['--model', 'lenet', '--epochs', '2', '--resume', ckpt]);
    expect(maxDiff(whole, resumed)).toBe(0);
    expect(resumed.epochs.map((e) => e.loss)).toEqual(whole.epochs.map((e) => e.loss));
  }, 240000);

  it('a rank that throws, or is killed, ends the whole job within seconds, not a hang', () => {
    const thrown = mpirun(2, [script, path.join(tmp, 'x.json'), '--model', 'lenet', '--epochs', '3', '--throw-at-step', '2', '--on-rank', '1'], 60000);
    expect(thrown.status).not.toBe(0);
    expect(thrown.status).not.toBeNull(); // null: the 60 s timeout killed a hung job
    expect(thrown.stderr).toMatch(/rank 1: a test failure on purpose at step 2/);
    expect(thrown.seconds).toBeLessThan(30);
    const killed = mpirun(2, [script, path.join(tmp, 'y.json'), '--model', 'lenet', '--epochs', '3', '--kill-at-step', '2', '--on-rank', '1'], 60000);
    expect(killed.status).not.toBe(0);
    expect(killed.status).not.toBeNull();
    expect(killed.seconds).toBeLessThan(30);
  }, 150000);

  it('convnode train under mpirun trains data-parallel and prints its lines once', () => {
    const cwd = path.join(tmp, 'cli');
    fs.mkdirSync(cwd);
    const r = spawnSync('mpirun', ['--allow-run-as-root', '--oversubscribe', '-np', '2', process.execPath, path.join(root, 'dist', 'cli', 'main.js'),
      'train', '--model', 'lenet', '--data', embeddedMnistDir(), '--limit', '6000', '--epochs', '1', '--save', 'm.safetensors', '--quiet'], { encoding: 'utf8', cwd, timeout: 180000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.match(/^test accuracy /gm)).toHaveLength(1);
    const acc = Number(/^test accuracy ([\d.]+)%/m.exec(r.stdout)![1]);
    expect(acc).toBeGreaterThan(70);
    expect(fs.existsSync(path.join(cwd, 'm.safetensors'))).toBe(true);
    const loud = spawnSync('mpirun', ['--allow-run-as-root', '--oversubscribe', '-np', '2', process.execPath, path.join(root, 'dist', 'cli', 'main.js'),
      'train', '--model', 'lenet', '--data', embeddedMnistDir(), '--limit', '240', '--epochs', '1', '--curves', 'c.svg'], { encoding: 'utf8', cwd, timeout: 180000 });
    expect(loud.status, loud.stderr).toBe(0);
    expect(loud.stderr.match(/data-parallel over 2 processes \(2 on this node\), native backend, \w+, 1 thread\(s\) each/g)).toHaveLength(1);
    expect(loud.stderr.match(/^epoch 1\/1/gm)).toHaveLength(1);
  }, 240000);

  it('without the MPI glue, asking for it says what to install', () => {
    expect(() => mpiAddon(path.join(tmp, 'no-such-addon.node'))).toThrow(MpiUnavailableError);
    expect(() => mpiAddon(path.join(tmp, 'no-such-addon.node'))).toThrow(/apt-get install openmpi-bin libopenmpi-dev.*npm rebuild convnode/);
  });
});

describe('gradient buckets', () => {
  /** An MPI of one rank that records when each sum starts, counted in backward ops done so far. */
  function recordingMpi() {
    const events: Array<{ kind: 'iallreduce' | 'allreduce'; length: number; opsDone: number }> = [];
    let opsDone = 0;
    const mpi = {
      iallreduce: (a: Float32Array) => { events.push({ kind: 'iallreduce', length: a.length, opsDone }); return events.length; },
      allreduce: (a: Float32Array) => { events.push({ kind: 'allreduce', length: a.length, opsDone }); },
      test: () => true, wait: () => {}, broadcast: () => {}, barrier: () => {},
    };
    return { mpi, events, op: () => { opsDone += 1; }, ops: () => opsDone };
  }

  it('start during the backward pass, last layers first, and the last (first layers) is small and summed after it', async () => {
    const { DataParallel } = await import('../lib/distributed/data-parallel');
    const { observeBackward } = await import('../lib/autograd/engine');
    const { lenet } = await import('../lib/models');
    const { crossEntropy } = await import('../lib/autograd/ops');
    const { Tensor } = await import('../lib/tensor/tensor');
    const model = lenet();
    const rec = recordingMpi();
    const dp = new DataParallel(rec.mpi as never, 0, 1, model, { bucketBytes: 4000 });
    // Buckets in the order they are summed: each 4 kB or less past one tensor.
    const sizes = dp.bucketSizes;
    expect(sizes.length).toBeGreaterThan(3);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(model.parameters().reduce((a, p) => a + p.size, 0));
    const x = Tensor.full([4, 1, 28, 28], 0.5);
    const logits = model.forward(x);
    const loss = crossEntropy(logits, Int32Array.of(1, 2, 3, 4));
    let total = 0;
    dp.reduceStep(() => observeBackward({ afterOp: rec.op }, () => { loss.backward(); total = rec.ops(); }), [0, 0]);
    const starts = rec.events.filter((e) => e.kind === 'iallreduce');
    expect(starts).toHaveLength(sizes.length - 1);
    // The first sum starts after a fraction of the ops, well before the pass ends.
    expect(starts[0]!.opsDone).toBeLessThan(total / 2);
    expect(starts.map((e) => e.opsDone)).toEqual([...starts.map((e) => e.opsDone)].sort((a, b) => a - b));
    // The last bucket: one blocking sum once backward is over.
    expect(rec.events.at(-1)).toMatchObject({ kind: 'allreduce', opsDone: total });
    // The gradients are the sums' buffers (one rank: the gradients themselves), summed in place.
    for (const p of model.parameters()) expect(p.grad).not.toBeNull();
  });

  it('cut ResNet-18 into 25 MiB buckets by default, the last (conv1, bn1, layer1) at most 1 MiB', async () => {
    const { DataParallel } = await import('../lib/distributed/data-parallel');
    const { resnet18 } = await import('../lib/models');
    const dp = new DataParallel(recordingMpi().mpi as never, 0, 1, resnet18({ numClasses: 1000 }));
    const sizes = dp.bucketSizes;
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(11_689_512);
    expect(sizes.at(-1)!).toBeLessThanOrEqual((1 << 20) / 4 + 36864 * 4); // 1 MiB, past it by at most one tensor
    for (const n of sizes.slice(0, -1)) expect(n).toBeLessThanOrEqual((25 << 20) / 4 + 2_359_296);
    expect(sizes.length).toBe(3);
  });
});
