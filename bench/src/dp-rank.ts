// One process of the bench's distributed section (distributed.ts), started
// by mpirun (or alone, for the one-process row):
//   node dp-rank.js train MODEL BATCH STEPS      training images/s (rank 0 prints JSON)
//   node dp-rank.js allreduce FLOATS BUCKET REPS  the gradient sums: convnode's buckets vs one MPI_Allreduce
import { init, launchedByMpi } from '../../lib/distributed';
import { DataParallel } from '../../lib/distributed/data-parallel';
import { mpiAddon } from '../../lib/distributed/mpi';
import { Dataset } from '../../lib/data/dataset';
import { MODELS } from '../../lib/models';
import { Adam } from '../../lib/optim/adam';
import { SGD } from '../../lib/optim/sgd';
import { Rng, manualSeed } from '../../lib/tensor/random';
import { fitSync } from '../../lib/train/fit';
import { Module, type LayerSpec } from '../../lib/nn/module';
import { Tensor } from '../../lib/tensor/tensor';
import { MODEL_INPUTS, type ModelName } from './cases';

function trainRow(model: ModelName, batch: number, steps: number): void {
  const job = launchedByMpi() ? init() : { rank: 0, size: 1 };
  manualSeed(1);
  const shape = MODEL_INPUTS[model];
  const rng = new Rng(2);
  const n = batch * steps, per = shape[0] * shape[1] * shape[2];
  const images = new Float32Array(n * per).map(() => rng.uniform(-1, 1));
  const data = new Dataset(images, Int32Array.from({ length: n }, (_, i) => i % 10), shape, 10);
  const net = MODELS[model].build({ channels: shape[0], classes: 10 });
  const recipe = MODELS[model].recipe;
  const optimizer = recipe.optimizer === 'adam' ? new Adam(net.parameters(), { lr: recipe.lr }) : new SGD(net.parameters(), { lr: recipe.lr, momentum: recipe.momentum ?? 0.9 });
  // Two epochs of `steps` global batches: the second, warm, is timed.
  const h = fitSync({ model: net, optimizer }, data, {
    epochs: 2, batchSize: batch, verbose: false, seed: 1, dataWorkers: 0, ...(job.size > 1 ? { distributed: true } : {}),
  });
  const e = h.epochs[1]!;
  if (job.rank === 0) process.stdout.write(JSON.stringify({ imagesPerSecond: n / e.trainSeconds!, size: job.size }) + '\n');
}

/** A module with parameters of the given sizes, for the bucketing alone. */
class Params extends Module {
  constructor(sizes: number[]) {
    super();
    sizes.forEach((s, i) => this.registerParameter(`p${i}`, Tensor.zeros([s], { requiresGrad: true })));
  }

  forward(x: Tensor): Tensor {
    return x;
  }

  spec(): LayerSpec {
    return { type: 'Params', args: {} };
  }
}

function allreduceRow(floats: number, bucketBytes: number, reps: number): void {
  const job = init();
  const mpi = mpiAddon();
  // ResNet-like sizes: many small tensors and a few large ones, `floats` in all.
  const sizes: number[] = [];
  for (let left = floats, k = 0; left > 0; k++) {
    const s = Math.min(left, k % 4 === 3 ? 589824 : k % 2 === 0 ? 64 : 36864);
    sizes.push(s);
    left -= s;
  }
  const model = new Params(sizes);
  const dp = new DataParallel(mpi, job.rank, job.size, model, { bucketBytes });
  // One step as training runs it puts the gradients in the buckets (backward writes them there).
  dp.reduceStep(() => {
    for (const p of [...model.parameters()].reverse()) {
      p.accumulateGrad(new Float32Array(p.size).fill(job.rank + 1));
      dp.gradReady(p);
    }
  }, [0, 0]);
  // The same bytes as the buckets hold (the gradients and the two metrics).
  const whole = new Float32Array(new SharedArrayBuffer(4 * (floats + 2))).fill(1);
  const time = (fn: () => void) => {
    fn();
    mpi.barrier();
    const t0 = mpi.wtime();
    for (let r = 0; r < reps; r++) fn();
    mpi.barrier();
    return (mpi.wtime() - t0) / reps;
  };
  // The buckets as training runs them (each started when its last gradient is ready), with no backward to overlap.
  // Interleaved rounds, the fastest of each kept: the machine is shared and noisy.
  let buckets = Infinity, single = Infinity;
  for (let round = 0; round < 5; round++) {
    buckets = Math.min(buckets, time(() => dp.reduceStep(() => {
      for (const p of [...model.parameters()].reverse()) dp.gradReady(p);
    }, [0, 0])));
    single = Math.min(single, time(() => mpi.allreduce(whole, 'sum')));
  }
  if (job.rank === 0) process.stdout.write(JSON.stringify({ bytes: 4 * floats, buckets: dp.bucketSizes.length, bucketSeconds: buckets, allreduceSeconds: single, size: job.size }) + '\n');
}

const [what, ...args] = process.argv.slice(2);
if (what === 'train') trainRow(args[0] as ModelName, Number(args[1]), Number(args[2]));
else if (what === 'allreduce') allreduceRow(Number(args[0]), Number(args[1]), Number(args[2]));
else throw new Error('usage: dp-rank.js train MODEL BATCH STEPS | allreduce FLOATS BUCKET_BYTES REPS');
