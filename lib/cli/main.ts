#!/usr/bin/env node
// The convnode command: train, eval, predict, info.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runtimeInfo, setNumThreads, useBackend } from '../backend';
import { PACKAGE_ROOT } from '../backend/native';
import { defaultDataset } from '../data/mnist';
import { loadDataFolder, type DataFolder } from '../data/data-folder';
import type { Augment } from '../data/transforms';
import { decodeImage, imageToInput } from '../data/image';
import { loadModel, saveModel } from '../io/model-file';
import { MODELS, STANDARD_CLASSES, type ModelName } from '../models';
import { Adam } from '../optim/adam';
import { SGD } from '../optim/sgd';
import { CosineAnnealingLR } from '../optim/schedulers';
import type { Optimizer } from '../optim/optimizer';
import { manualSeed } from '../tensor/random';
import { Tensor } from '../tensor/tensor';
import { fit } from '../train/fit';
import { evaluate } from '../train/step';
import { predict } from '../inference/predict';
import { curvesSvg, type CurveSet } from '../viz/curves';
import { softmax } from '../autograd/ops';
import { filterCommand, vizCommand } from './viz';
import { init as joinMpiJob, launchedByMpi, type MpiInfo } from '../distributed';
import { parseCommand } from './args';
import { UsageError } from './usage-error';



const USAGE = `usage: convnode <command> [options]

commands:
  train    train a model (default: LeNet on Fashion-MNIST if installed, else the embedded MNIST)
           --model lenet|smallvgg|resnet|resnet20|resnet18
           --data DIR (an MNIST-format folder, CIFAR-10/100 binary files, or an image folder:
           one subfolder per class, with train/ and val/ or a seeded split)
           --image-size N (32: image folders are resized to NxN)  --skip-invalid  --augment none|crop-flip
           --weight-decay X  --schedule none|cosine (resnet20/18: 5e-4, cosine over the epochs)
           --epochs N (1)  --batch-size N  --lr X  --optimizer sgd|adam  --momentum X
           --threads N  --backend native|js  --seed N (0)  --limit N (first N training images)
           --data-workers N (threads preparing batches ahead; default 1 for bytes or augmentation, else 0)
           under mpirun: data-parallel over the processes (--batch-size is the global batch); --sync-bn,
           --bucket-mb X (gradients fused per allreduce, 25)
           --save FILE.safetensors  --checkpoint FILE  --resume FILE  --curves FILE.svg
  eval     --model FILE.safetensors [--data DIR]      test accuracy of a saved model on the test set of DIR
  predict  IMAGE --model FILE.safetensors             class probabilities for a PNG/JPEG image
  viz      features|filters|saliency|occlusion|maximize|invert --model FILE [--image FILE] [--layer NAME]
           [--class K] [--unit N] [--size N --stride N] [--steps N --lr X --l2 X --tv X] [--out DIR]
           images of what a trained model does (PNG files in DIR, default viz/)
  filter   sharpen|blur|edge|custom IMAGE [--kernel "0,1,0;1,-4,1;0,1,0"] [--padding same|valid]
           [--normalize] [--out FILE]   a classic image filter, applied with convnode's conv2d
  info                                                backend, ISA path and threads
  --version                                           the version of convnode

convnode <command> --help shows that command's part of this text.`;

/** The lines of USAGE that describe one command (its first line, and the indented ones under it). */
function usageOf(command: string): string | null {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  ${command} `));
  if (start < 0) return null;
  let end = start + 1;
  while (end < lines.length && lines[end]!.startsWith('           ')) end++;
  return `usage: convnode ${command} [options]\n\n${lines.slice(start, end).join('\n')}`;
}

function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(PACKAGE_ROOT, 'package.json')) as { version: string }).version;
}

function int(name: string, v: string | undefined, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

function num(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number, got '${v}'`);
  return n;
}

function applyRuntime(values: { backend?: string; threads?: string }): void {
  if (values.backend !== undefined) {
    if (values.backend !== 'native' && values.backend !== 'js') throw new UsageError(`--backend must be native or js, got '${values.backend}'`);
    useBackend(values.backend);
  }
  if (values.threads !== undefined) {
    const n = int('threads', values.threads, 1);
    if (runtimeInfo().native !== null) setNumThreads(n);
  }
}

function describeRuntime(): string {
  const r = runtimeInfo();
  return r.native !== null && r.backend === 'native' ? `native backend, ${r.native.isa}, ${r.native.numThreads} thread(s)` : 'TypeScript backend';
}

/** The data of --data (the default dataset without it), and a line saying what it is. */
async function loadData(dir: string | undefined, values: { 'image-size'?: string; 'skip-invalid'?: boolean; seed?: string } = {}): Promise<DataFolder> {
  if (dir === undefined) {
    const splits = defaultDataset();
    return { splits, kind: 'idx', description: `${splits.name}: ${splits.train.length} training, ${splits.test.length} test images` };
  }
  return loadDataFolder(dir, {
    size: int('image-size', values['image-size'], 32), skipInvalid: values['skip-invalid'] ?? false, seed: int('seed', values.seed, 0, 0),
  });
}

/** The augmentation --augment names, for images of `size` pixels: crop-flip is the standard CIFAR recipe (pad size/8, random crop, flip). */
function augmentFor(name: string, size: number): Augment | undefined {
  if (name === 'none') return undefined;
  if (name === 'crop-flip') return { crop: { size, padding: Math.max(1, Math.round(size / 8)) }, flip: {} };
  throw new UsageError(`--augment must be none or crop-flip, got '${name}'`);
}

async function train(args: string[]): Promise<void> {
  const { values } = parseCommand(args, {
    model: { type: 'string' }, data: { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' },
    lr: { type: 'string' }, optimizer: { type: 'string' }, momentum: { type: 'string' }, threads: { type: 'string' },
    backend: { type: 'string' }, seed: { type: 'string' }, limit: { type: 'string' }, save: { type: 'string' },
    checkpoint: { type: 'string' }, resume: { type: 'string' }, curves: { type: 'string' }, quiet: { type: 'boolean' },
    'image-size': { type: 'string' }, 'skip-invalid': { type: 'boolean' }, augment: { type: 'string' },
    'weight-decay': { type: 'string' }, schedule: { type: 'string' }, 'data-workers': { type: 'string' },
    'sync-bn': { type: 'boolean' }, 'bucket-mb': { type: 'string' },
  });
  const name = (values.model ?? 'lenet') as ModelName;
  if (!(name in MODELS)) throw new UsageError(`--model must be one of ${Object.keys(MODELS).join(', ')}, got '${name}'`);
  // Under mpirun: join the job first (it sets the threads per process), then --threads may override.
  const job = launchedByMpi() ? joinJob() : null;
  for (const flag of ['sync-bn', 'bucket-mb'] as const) {
    if (values[flag] !== undefined && job === null) throw new UsageError(`--${flag} is for data-parallel training: start convnode with mpirun`);
  }
  const bucketMb = values['bucket-mb'] === undefined ? undefined : num('bucket-mb', values['bucket-mb'], 25);
  if (bucketMb !== undefined && !(bucketMb > 0 && bucketMb <= 4096)) throw new UsageError(`--bucket-mb must be a number of MiB in (0, 4096], got '${values['bucket-mb']}'`);
  applyRuntime(values);
  const { build, recipe, fixedInput } = MODELS[name];
  const epochs = int('epochs', values.epochs, 1);
  const batchSize = int('batch-size', values['batch-size'], recipe.batchSize);
  const optName = values.optimizer ?? recipe.optimizer;
  if (optName !== 'sgd' && optName !== 'adam') throw new UsageError(`--optimizer must be sgd or adam, got '${optName}'`);
  const lr = num('lr', values.lr, optName === recipe.optimizer ? recipe.lr : optName === 'sgd' ? 0.05 : 1e-3);
  const momentum = num('momentum', values.momentum, recipe.momentum ?? 0.9);
  const weightDecay = num('weight-decay', values['weight-decay'], optName === recipe.optimizer ? recipe.weightDecay ?? 0 : 0);
  const schedule = values.schedule ?? recipe.schedule ?? 'none';
  if (schedule !== 'none' && schedule !== 'cosine') throw new UsageError(`--schedule must be none or cosine, got '${schedule}'`);
  const seed = int('seed', values.seed, 0, 0);

  const found = await loadData(values.data, values);
  const data = found.splits;
  const shape = data.train.imageShape;
  if (fixedInput !== null && shape.join('x') !== fixedInput.join('x')) {
    throw new Error(`${data.dir}: the ${name} model takes ${fixedInput.join('x')} images, these are ${shape.join('x')}; resnet20 and resnet18 take any size`);
  }
  if (fixedInput !== null && data.train.numClasses > STANDARD_CLASSES) {
    throw new Error(`${data.dir}: the training labels go up to ${data.train.numClasses - 1}, but the ${name} model has ${STANDARD_CLASSES} outputs (classes 0 to ${STANDARD_CLASSES - 1})`);
  }
  if (values.resume !== undefined) {
    for (const flag of ['lr', 'momentum'] as const) {
      if (values[flag] !== undefined) {
        process.emitWarning(`--${flag} ${values[flag]} is ignored: --resume continues with the optimizer (and learning rate) saved in ${values.resume}`, { code: 'CONVNODE_RESUME_IGNORES' });
      }
    }
  }
  // Augmentation by default for colour images (CIFAR, image folders), not for the IDX digits.
  const augmentName = values.augment ?? (found.kind === 'idx' ? 'none' : 'crop-flip');
  const augment = augmentFor(augmentName, shape[1]);
  const limited = values.limit === undefined ? data.train : data.train.take(int('limit', values.limit, 1));
  const trainSet = limited.withAugment(augment);
  manualSeed(seed);
  const model = build({ channels: shape[0], classes: data.train.numClasses });
  const optimizer: Optimizer<{ lr: number }> = optName === 'sgd'
    ? new SGD(model.parameters(), { lr, momentum, weightDecay }) : new Adam(model.parameters(), { lr, weightDecay });
  const scheduler = schedule === 'cosine' ? new CosineAnnealingLR(optimizer, epochs) : null;
  const leader = job === null || job.rank === 0;
  const log = (s: string) => { if (!values.quiet && leader) process.stderr.write(s + '\n'); };
  if (job !== null) {
    log(`convnode train: data-parallel over ${job.size} processes (${job.localSize} on this node), ${describeRuntime()} each; ` +
      `batch ${batchSize} is split over them; ${job.library}`);
  }
  if (values.data !== undefined) log(`convnode train: --data ${values.data} is ${found.description}`);
  log(`convnode train: ${name} on ${data.name} (${trainSet.length} training, ${data.test.length} test images${augment ? `, augmented: ${augmentName}` : ''}), ` +
    `${optName} lr ${lr}${optName === 'sgd' ? ` momentum ${momentum}` : ''}${weightDecay > 0 ? ` weight decay ${weightDecay}` : ''}` +
    `${scheduler ? ', cosine schedule' : ''}, batch ${batchSize}, ${epochs} epoch(s), ${describeRuntime()}`);

  const curves: CurveSet = { trainLoss: [], trainAccuracy: [], valLoss: [], valAccuracy: [] };
  const every = Math.max(1, Math.floor(trainSet.numBatches(batchSize) / 50));
  const t0 = Date.now();
  const history = await fit({ model, optimizer, scheduler }, trainSet, {
    epochs, batchSize, shuffle: true, seed, validationData: data.test, verbose: !values.quiet && leader,
    ...(job !== null ? {
      distributed: { syncBatchNorm: values['sync-bn'] ?? false, ...(bucketMb !== undefined ? { bucketBytes: Math.max(4, Math.round(bucketMb * 2 ** 20)) } : {}) },
    } : {}),
    ...(values['data-workers'] !== undefined ? { dataWorkers: int('data-workers', values['data-workers'], 0, 0) } : {}),
    ...(values.checkpoint !== undefined ? { checkpointPath: values.checkpoint } : {}),
    ...(values.resume !== undefined ? { resumeFrom: values.resume } : {}),
    callbacks: [{
      onBatchEnd: (epoch, b) => {
        if ((b.batch + 1) % every !== 0) return;
        curves.trainLoss.push({ x: epoch + (b.batch + 1) / b.batches, y: b.loss });
        curves.trainAccuracy.push({ x: epoch + (b.batch + 1) / b.batches, y: b.accuracy });
      },
      onEpochEnd: (epoch, e) => {
        curves.valLoss.push({ x: epoch + 1, y: e.valLoss! });
        curves.valAccuracy.push({ x: epoch + 1, y: e.valAccuracy! });
      },
    }],
  });
  // Nothing useful was trained: no model is saved, and the exit is not 0.
  if (history.stoppedBy === 'nonFiniteLoss') throw new Error(`${history.stopReason!}. No model was saved.`);
  // Every rank has the same model and the global numbers: rank 0 alone writes and prints them.
  if (!leader) return;
  const seconds = (Date.now() - t0) / 1000;
  // The last epoch's validation pass was over the test set, on the final weights.
  const last = history.epochs.at(-1)!;
  const final = { accuracy: last.valAccuracy!, loss: last.valLoss! };
  const curvesFile = values.curves ?? `${name}-curves.svg`;
  fs.writeFileSync(curvesFile, curvesSvg(curves, `convnode ${name} on ${data.name}: test accuracy ${(100 * final.accuracy).toFixed(2)}%`));
  if (values.save !== undefined) {
    // One number where every channel shares it (the 1-channel models viz renders).
    const stat = (v: number[]) => (v.every((x) => x === v[0]) ? v[0]! : v);
    const pixels = data.train.pixels!; // every loader says how it normalised its images
    saveModel(model, values.save, {
      inputShape: [...data.test.imageShape] as [number, number, number], mean: stat(pixels.mean), std: stat(pixels.std),
      ...(data.classNames ? { classNames: data.classNames } : {}),
    });
    log(`saved the model to ${values.save}`);
  }
  const perEpoch = history.epochs.map((e) => e.seconds.toFixed(1)).join(', ');
  console.log(`test accuracy ${(100 * final.accuracy).toFixed(2)}% (test loss ${final.loss.toFixed(4)}) after ${history.epochs.length} epoch(s); ` +
    `training took ${seconds.toFixed(1)} s (per epoch: ${perEpoch} s); curves written to ${curvesFile}`);
}

async function evalCommand(args: string[]): Promise<void> {
  const { values } = parseCommand(args, {
    model: { type: 'string' }, data: { type: 'string' }, threads: { type: 'string' }, backend: { type: 'string' },
    'image-size': { type: 'string' }, 'skip-invalid': { type: 'boolean' }, seed: { type: 'string' },
  });
  if (values.model === undefined) throw new UsageError('eval needs --model FILE.safetensors');
  applyRuntime(values);
  const { model, info } = loadModel(values.model);
  const data = (await loadData(values.data, { ...values, 'image-size': values['image-size'] ?? String(info.inputShape[1]) })).splits;
  const t0 = Date.now();
  const r = evaluate({ model }, data.test);
  console.log(`${data.name}: test accuracy ${(100 * r.accuracy).toFixed(2)}%, loss ${r.loss.toFixed(4)} on ${data.test.length} images (${((Date.now() - t0) / 1000).toFixed(2)} s)`);
}

function predictCommand(args: string[]): void {
  const { values, positionals } = parseCommand(args, { model: { type: 'string' }, top: { type: 'string' } }, true);
  if (values.model === undefined) throw new UsageError('predict needs --model FILE.safetensors');
  if (positionals.length !== 1) throw new UsageError('predict needs exactly one IMAGE (PNG or JPEG)');
  const file = positionals[0]!;
  const { model, info } = loadModel(values.model);
  const input = imageToInput(decodeImage(file), info.inputShape, info.mean, info.std, file);
  const probs = softmax(predict(model, new Tensor(input, [1, ...info.inputShape]))).data;
  const top = int('top', values.top, 3);
  const ranked = Array.from(probs, (p, i) => [i, p] as const).sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [i, p] of ranked) console.log(`${info.classNames?.[i] ?? i}\t${(100 * p).toFixed(2)}%`);
}

/** The MPI job this process joined (train under mpirun), named in its error messages. */
let mpiJob: MpiInfo | null = null;

function joinJob(): MpiInfo {
  mpiJob = joinMpiJob();
  return mpiJob;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    const text = usageOf(command);
    if (text !== null) {
      console.log(text);
      return 0;
    }
  }
  try {
    switch (command) {
      case 'train': await train(rest); return 0;
      case 'eval': await evalCommand(rest); return 0;
      case 'predict': predictCommand(rest); return 0;
      case 'bench': throw new UsageError('the benchmark suite is not part of the installed package: from a clone of the repository, run `npm run bench`');
      case 'viz': for (const f of vizCommand(rest)) console.log(f); return 0;
      case 'filter': for (const f of filterCommand(rest)) console.log(f); return 0;
      case 'info': console.log(JSON.stringify(runtimeInfo(), null, 2)); return 0;
      case undefined: case '-h': case '--help': case 'help': console.log(USAGE); return command === undefined ? 2 : 0;
      case '--version': case '-v': case 'version': console.log(version()); return 0;
      default: throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`convnode: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    // Under MPI the exit that follows ends every rank (MPI_Abort); this line says which one failed.
    console.error(`convnode: ${mpiJob !== null ? `rank ${mpiJob.rank} of ${mpiJob.size}: ` : ''}${(err as Error).message}`);
    return 1;
  }
}

/**
 * The command's warnings, one line each with the one "convnode:" prefix,
 * instead of Node's "(node:PID) [CODE] Warning:" form. A non-finite loss is
 * not repeated: train reports it as its error.
 */
function printWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (w: Error & { code?: string }) => {
    if (w.code === 'CONVNODE_NONFINITE_LOSS') return;
    process.stderr.write(`convnode: warning: ${w.message}\n`);
  });
}

if (require.main === module) {
  printWarnings();
  void main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}

