// The pooling loops (max_pool_phased_loops.h, pool_2x2_loops.h) compiled
// for the baseline path: SSE2 on x86-64, NEON on arm64.
#include "max_pool_phased_loops.h"
#include "pool_2x2_loops.h"
#include "pool_loops.h"

namespace convnode {

const PoolLoops kPoolLoopsBaseline{forward_any, backward_any, forward_2x2, backward_2x2, nullptr, nullptr, nullptr, nullptr};

}  // namespace convnode
