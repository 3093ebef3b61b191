// The Winograd F(4x4, 3x3) transforms (winograd_f4x3_tiles.h) over ymm
// registers: 8 channels per call. Compiled with -mavx2 -mfma (this file only).
#include "../simd_avx2.h"
#include "winograd_f4x3_tiles.h"

namespace convnode {

const WinogradF4x3Kernels kWinogradF4x3Avx2 = WinogradF4x3<Avx2>::kernels();

}  // namespace convnode
