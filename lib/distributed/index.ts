// convnode/distributed: data-parallel training over MPI, as PyTorch's
// DistributedDataParallel or Horovod. Start the processes with mpirun
// (`mpirun -np 4 npx convnode train ...`, or any script that calls
// fit(..., { distributed: true })); one process without MPI trains as before.
//
// What each call does is in the MPI glue (native/mpi/mpi_binding.cc); the
// training side (broadcast at start, shards, bucketed gradient allreduce
// overlapping the backward pass, global metrics) is data-parallel.ts.
import * as os from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { runtimeInfo, setNumThreads } from '../backend';
import { checkOptionKeys } from '../util/options';
import { mpiAddon, type MpiInfo } from './mpi';

export { MpiUnavailableError, type MpiInfo } from './mpi';

/** True when this process was started by mpirun / mpiexec (Open MPI, MPICH, PMIx, Slurm's PMI). */
export function launchedByMpi(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['OMPI_COMM_WORLD_SIZE', 'PMIX_RANK', 'PMI_SIZE', 'PMI_RANK', 'MPI_LOCALNRANKS'].some((k) => env[k] !== undefined);
}

let info: MpiInfo | null = null;

/**
 * Joins the job (MPI_Init, once per process; later calls return the same
 * answer). On the main thread it also:
 *   - sets the kernels' threads to the node's cores divided by the
 *     processes on it (never oversubscribed), unless CONVNODE_NUM_THREADS
 *     or setNumThreads chose already (`threads` overrides);
 *   - ends the job properly when the process exits: MPI_Finalize after a
 *     clean exit, MPI_Abort (which stops every rank at once) after an error,
 *     so one failing rank never leaves the others waiting.
 */
export function init(options: { threads?: number } = {}): MpiInfo {
  checkOptionKeys('init', options, ['threads']);
  if (info !== null) return info;
  const mpi = mpiAddon();
  info = mpi.init();
  if (isMainThread) {
    const native = runtimeInfo().native;
    if (native !== null) {
      const cores = os.availableParallelism();
      const share = Math.max(1, Math.floor(cores / info.localSize));
      if (options.threads !== undefined) setNumThreads(options.threads);
      else if (process.env.CONVNODE_NUM_THREADS === undefined && native.numThreads === native.maxThreads) setNumThreads(share);
    }
    process.on('exit', (code) => {
      if (code === 0) mpi.finalize();
      else mpi.abort(code);
    });
  }
  return info;
}

function joined(): MpiInfo {
  if (info === null) throw new Error('convnode/distributed: call init() first');
  return info;
}

export const rank = (): number => joined().rank;
export const size = (): number => joined().size;

export function barrier(): void {
  joined();
  mpiAddon().barrier();
}

/** Sums (or max, min) `a` over every rank, in place, blocking. */
export function allreduce<T extends Float32Array | Float64Array | Int32Array>(a: T, op: 'sum' | 'max' | 'min' = 'sum'): T {
  joined();
  mpiAddon().allreduce(a, op);
  return a;
}

/** Copies rank `root`'s `a` into every rank's `a` (same length everywhere), in place, blocking. */
export function broadcast<T extends Float32Array | Float64Array | Int32Array | Uint8Array>(a: T, root = 0): T {
  joined();
  mpiAddon().broadcast(a, root);
  return a;
}

/** Leaves the job (MPI_Finalize). init() does this at a clean exit; call it to leave earlier. */
export function finalize(): void {
  if (info !== null) mpiAddon().finalize();
}

/** Ends every rank of the job now with `code` (MPI_Abort). */
export function abort(code = 1): never {
  mpiAddon().abort(code);
  process.exit(code);
}
