// The AVX2 direct-convolution tiles (conv_direct_tiles.h) over ymm
// registers, at most 12 accumulators of the 16 registers: forward 4
// channels x 24 positions, 6 x 16 and 1 x 96; weight gradient 4 channels x
// 2 taps (positions in lanes), 8 channels x 12 taps and 16 x 6 (channels in
// lanes). Compiled with -mavx2 -mfma (this file only).
#include "conv_direct_ukernel.h"
#include "../simd_avx2.h"

#include "conv_direct_tiles.h"

namespace convnode {

const DirectConvKernels kDirectConvAvx2{
    "avx2",
    8,
    {{4, 24, forward_tile<Avx2, 4, 3>},
     {6, 16, forward_tile<Avx2, 6, 2>},
     {1, 96, forward_tile<Avx2, 1, 12>}},
    {4, 2, weight_tile_lanes_over_positions<Avx2, 4, 2>},
    {{8, 12, weight_tile_lanes_over_channels<Avx2, 1, 12>},
     {16, 6, weight_tile_lanes_over_channels<Avx2, 2, 6>}},
    copy_rows<Avx2>,
};

}  // namespace convnode
