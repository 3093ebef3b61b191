// The pooling loops (max_pool_phased_loops.h, pool_2x2_loops.h) compiled
// for the baseline path: SSE2 on x86-64, NEON on arm64. Also picks the
// table of the active ISA path.
#include "max_pool_phased_loops.h"
#include "pool_2x2_loops.h"
#include "pool_loops.h"

namespace convnode {

const PoolLoops kPoolLoopsBaseline{forward_any, backward_any, forward_2x2, backward_2x2, nullptr, nullptr, nullptr, nullptr};

const PoolLoops& pool_loops_for(Isa isa) {
  switch (isa) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::kAvx512: return kPoolLoopsAvx512;
    case Isa::kAvx2: return kPoolLoopsAvx2;
#endif
    default: return kPoolLoopsBaseline;
  }
}

}  // namespace convnode
