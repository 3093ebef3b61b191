// gemm_few_rows.h's dot products, compiled with the avx2_fma path's flags.
#include "gemm_few_rows.h"

namespace convnode {

void f32_gemm_few_rows__avx2_fma(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                          int64_t ldb, float* out, int64_t ldo) {
  few_rows::dots(m, n, k, a, lda, b, ldb, out, ldo);
}

}  // namespace convnode
