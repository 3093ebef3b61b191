// Which implementation runs each kernel.
//
// Per ISA path, one KernelTable: it starts as a copy of the reference table
// (the portable implementations, built for every architecture) and each path
// overrides the slots it has better code for, so no slot is ever empty. A
// path without a family's fast kernels (scalar and NEON have no direct
// convolution tiles) keeps that family's "none" record, which the ordered
// implementation lists (conv_dispatch.cc, pool_dispatch.cc) see and pass
// over: the first implementation that accepts a call runs it, the
// reference comes last and accepts everything.
//
// CONVNODE_LOG=1 prints each choice the first time it is made:
//   convnode: conv2d_forward -> direct f32_conv_direct__avx512 (avx512)
#pragma once

#include "convnode/runtime.h"
#include "kernels/conv/conv_direct_ukernel.h"
#include "kernels/conv/winograd_f4x3.h"
#include "kernels/gemm/gemm_direct_a_ukernel.h"
#include "kernels/gemm/gemm_few_rows.h"
#include "kernels/gemm/gemm_ukernel.h"
#include "kernels/pool/pool_loops.h"
#include "kernels/probe/fma_peak.h"

namespace convnode {

struct KernelTable {
  Isa isa;
  const GemmKernel* gemm;                  // the packed GEMM's microkernel and blocks
  const GemmDirectATiles* gemm_direct_a;   // narrow GEMM reading A in place (count 0: none)
  GemmFewRowsFn gemm_few_rows;             // a few rows against a transposed B (Linear at batch 1-4)
  const DirectConvKernels* conv_direct;    // stride-1 direct convolution tiles (vec 0: none)
  const WinogradF4x3Kernels* winograd;     // 3x3 stride-1 Winograd transforms (nullptr: none)
  const PoolLoops* pool;                   // the pooling loops
  FmaProbe fma_probe;                      // the peak-throughput probe
};

const KernelTable& kernel_table(Isa isa);
inline const KernelTable& active_kernel_table() { return kernel_table(active_isa()); }

// With CONVNODE_LOG=1, prints "convnode: <op> -> <implementation> (<isa>)"
// the first time this pair is chosen on this path (from any thread).
void log_choice(const char* op, const char* implementation, const char* detail = nullptr);

}  // namespace convnode
