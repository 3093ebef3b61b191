// MaxPoolPhased's loops compiled for the AVX2 path (see
// max_pool_phased_loops.h): the same source, vectorised 8 floats wide.
#include "max_pool_phased_loops.h"

namespace convnode {

void max_pool_forward__avx2(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, const float* next,
                           float* out) {
  forward_any(p, t, plane, next, out);
}

void max_pool_backward__avx2(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, const float* next,
                            const float* dy, float* dx) {
  backward_any(p, t, plane, next, dy, dx);
}

}  // namespace convnode
