// The pooling loops (max_pool_phased_loops.h, pool_2x2_loops.h) compiled
// for the AVX2 path: 8 floats wide.
#include "max_pool_phased_loops.h"
#include "pool_2x2_loops.h"
#include "pool_loops.h"

namespace convnode {

const PoolLoops kPoolLoopsAvx2{forward_any, backward_any, forward_2x2, backward_2x2};

}  // namespace convnode
