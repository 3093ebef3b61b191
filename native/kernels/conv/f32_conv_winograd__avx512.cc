// The Winograd F(4x4, 3x3) transforms (winograd_f4x3_tiles.h) over zmm
// registers: 16 channels per call. Compiled with -mavx512f (this file only).
#include "../simd_avx512.h"
#include "winograd_f4x3_tiles.h"

namespace convnode {

const WinogradF4x3Kernels kWinogradF4x3Avx512 = WinogradF4x3<Avx512>::kernels();

}  // namespace convnode
