// The MPI glue (native/mpi/), loaded on first use: a separate, optional
// addon built against the system's MPI when the install found one.
// Without it, asking for distributed training is an error that says what
// to install.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../backend/native';

export interface MpiInfo {
  rank: number;
  size: number;
  /** This process's rank among the processes on its node, and how many there are. */
  localRank: number;
  localSize: number;
  threadLevel: 'serialized' | 'multiple';
  /** MPI's own description of itself (first line). */
  library: string;
}

type Reducible = Float32Array | Float64Array | Int32Array | Uint8Array;

/** The addon's functions (native/mpi/mpi_binding.cc). */
export interface MpiAddon {
  init(): MpiInfo;
  finalize(): void;
  abort(code: number): void;
  barrier(): void;
  allreduce(a: Reducible, op: 'sum' | 'max' | 'min'): void;
  broadcast(a: Reducible, root: number): void;
  /** Starts a sum in place; `a` must live in a SharedArrayBuffer. Returns a request number. */
  iallreduce(a: Float32Array): number;
  /** True when the request is done (it is then gone); drives MPI's progress. */
  test(request: number): boolean;
  wait(request: number): void;
  wtime(): number;
}

/** Distributed training was asked for, but this install has no MPI glue. */
export class MpiUnavailableError extends Error {
  constructor(why: string) {
    super(`convnode: distributed training needs MPI, and ${why}. Install Open MPI (Debian/Ubuntu: ` +
      'apt-get install openmpi-bin libopenmpi-dev; or any MPI whose mpicc is on PATH), then run `npm rebuild convnode` ' +
      '(or, in a checkout, `npm run build:mpi`), and start the processes with mpirun');
    this.name = 'MpiUnavailableError';
  }
}

/** Where the install builds the addon (under the package root: dist/, lib/ under the tests, dist-bench/lib/ in the bench). */
export const MPI_ADDON_PATH = path.join(PACKAGE_ROOT, 'native', 'mpi', 'build', 'Release', 'convnode_mpi.node');

let addon: MpiAddon | undefined;

/** The addon (at `file`: the install's by default), loaded once; an MpiUnavailableError when it is not there or does not load. */
export function mpiAddon(file = MPI_ADDON_PATH): MpiAddon {
  if (addon !== undefined && file === MPI_ADDON_PATH) return addon;
  if (!fs.existsSync(file)) throw new MpiUnavailableError('this install has no MPI glue (no mpicc was found when it was built)');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(file) as MpiAddon;
    if (file === MPI_ADDON_PATH) addon = loaded;
    return loaded;
  } catch (err) {
    throw new MpiUnavailableError(`its MPI glue does not load here (${String((err as Error).message).split('\n')[0]})`);
  }
}
