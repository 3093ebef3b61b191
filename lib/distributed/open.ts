// The data-parallel context of a training run (run.ts): joins the MPI job
// (once per process) and buckets the model's parameters.
import type { Module } from '../nn/module';
import { checkDistributedOptions, DataParallel, type DistributedOptions } from './data-parallel';
import { init } from './index';
import { mpiAddon } from './mpi';

export function openDataParallel(model: Module, options: boolean | DistributedOptions): DataParallel {
  const o = checkDistributedOptions(options);
  const info = init();
  return new DataParallel(mpiAddon(), info.rank, info.size, model, o);
}
