// The distributed section of the bench: data-parallel training on this
// machine, 1 process x all threads against N processes x 1 thread (mpirun),
// and the gradient sums: convnode's buckets (MPI_Iallreduce on the
// gradients where backward wrote them, then waited) against one
// MPI_Allreduce of the same bytes.
// Each row is its own process tree (dp-rank.ts).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { MPI_ADDON_PATH } from '../../lib/distributed/mpi';
import * as fs from 'node:fs';
import type { ModelName } from './cases';

export interface DistributedResults {
  /** Why the section did not run, if it did not. */
  missing?: string;
  mpi?: string;
  processes: number;
  train: Array<{ model: ModelName; batch: number; steps: number; oneProcess: number; processesRow: number }>;
  allreduce: Array<{ what: string; bytes: number; buckets: number; bucketSeconds: number; allreduceSeconds: number }>;
}

const RANK_SCRIPT = path.join(__dirname, 'dp-rank.js');

function run(np: number, args: string[], threads: number): Record<string, number> {
  const env = { ...process.env, CONVNODE_NUM_THREADS: String(threads) };
  const cmd = np === 1 ? [process.execPath, RANK_SCRIPT, ...args]
    : ['mpirun', '--allow-run-as-root', '--oversubscribe', '-np', String(np), process.execPath, RANK_SCRIPT, ...args];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', env, timeout: 30 * 60 * 1000 });
  if (r.status !== 0) throw new Error(`${cmd.slice(0, 6).join(' ')} ... failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
}

export function distributedBench(quick: boolean, maxThreads: number, log: (line: string) => void): DistributedResults {
  const out: DistributedResults = { processes: maxThreads, train: [], allreduce: [] };
  if (spawnSync('mpirun', ['--version'], { encoding: 'utf8' }).status !== 0) return { ...out, missing: 'no mpirun (Debian: apt-get install openmpi-bin libopenmpi-dev)' };
  if (!fs.existsSync(MPI_ADDON_PATH)) return { ...out, missing: 'the MPI glue is not built (npm run build:mpi)' };
  if (maxThreads < 2) return { ...out, missing: 'one core: nothing to split' };
  out.mpi = spawnSync('mpirun', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]!;
  for (const [model, batch] of [['smallvgg', 64], ['resnet20', 128]] as const) {
    const steps = quick ? 2 : 12;
    // Both rows see the same global batches; the processes split each one.
    const one = run(1, ['train', model, String(batch), String(steps)], maxThreads)['imagesPerSecond']!;
    const many = run(maxThreads, ['train', model, String(batch), String(steps)], 1)['imagesPerSecond']!;
    out.train.push({ model, batch, steps, oneProcess: one, processesRow: many });
    log(`distributed train ${model}: 1 process x ${maxThreads} threads ${one.toFixed(0)} images/s, ${maxThreads} processes x 1 thread ${many.toFixed(0)} (${(many / one).toFixed(2)}x)`);
  }
  // One bucket (1 MiB: the glue alone against MPI_Allreduce), then ResNet-18's
  // gradients (11.69 M floats) in the default 25 MiB buckets and in 4 MiB ones.
  const rows = [['1 MiB, one bucket', 1 << 18, 4 << 20], ['ResNet-18, 25 MiB buckets', 11_689_512, 25 << 20], ['ResNet-18, 4 MiB buckets', 11_689_512, 4 << 20]] as const;
  for (const [what, floats, bucket] of quick ? rows.slice(0, 1) : rows) {
    const a = run(maxThreads, ['allreduce', String(floats), String(bucket), quick ? '3' : '10'], 1);
    out.allreduce.push({ what, bytes: a['bytes']!, buckets: a['buckets']!, bucketSeconds: a['bucketSeconds']!, allreduceSeconds: a['allreduceSeconds']! });
    log(`distributed allreduce ${what} (${(a['bytes']! / 1e6).toFixed(1)} MB): ${a['buckets']} bucket(s) ${(1e3 * a['bucketSeconds']!).toFixed(2)} ms, one MPI_Allreduce ${(1e3 * a['allreduceSeconds']!).toFixed(2)} ms`);
  }
  return out;
}
