// The AVX-512 direct-convolution tiles (conv_direct_tiles.h) over zmm
// registers: forward 8 channels x 48 positions (24 accumulators: 8 broadcasts
// and 3 loads per 24 FMAs; SmallVGG's 32-channel 28x28 layer 171 -> 183
// GFLOP/s at 1 thread against 4 x 48), 4 x 48, 8 x 32 (16 accumulators),
// 6 x 32 and 1 x 192 (12 each); weight gradient 4 channels x 4 taps
// (positions in lanes, 16 accumulators), 16 channels x 12 taps and 32 x 6
// (channels in lanes, 12). Compiled with -mavx512f (this file only).
#include "conv_direct_ukernel.h"
#include "../simd_avx512.h"

#include "conv_direct_tiles.h"

namespace convnode {

const DirectConvKernels kDirectConvAvx512{
    "avx512",
    16,
    {{8, 48, forward_tile<Avx512, 8, 3>},
     {4, 48, forward_tile<Avx512, 4, 3>},
     {8, 32, forward_tile<Avx512, 8, 2>},
     {6, 32, forward_tile<Avx512, 6, 2>},
     {1, 192, forward_tile<Avx512, 1, 12>}},
    {4, 4, weight_tile_lanes_over_positions<Avx512, 4, 4>},
    {{16, 12, weight_tile_lanes_over_channels<Avx512, 1, 12>},
     {32, 6, weight_tile_lanes_over_channels<Avx512, 2, 6>}},
    copy_rows<Avx512>,
};

}  // namespace convnode
