{
  "variables": {
    "convnode_openmp%": "<!(node scripts/has-openmp.js)",
    "convnode_core_sources": [
      "native/cpu/isa.cc",
      "native/cpu/threads.cc",
      "native/cpu/scratch.cc",
      "native/cpu/env.cc",
      "native/cpu/dispatch.cc",
      "native/cpu/conv_dispatch.cc",
      "native/cpu/pool_dispatch.cc",
      "native/kernels/gemm/sgemm.cc",
      "native/kernels/gemm/f32_gemm_ukernel_4x4__scalar.cc",
      "native/kernels/gemm/f32_gemm_few_rows__scalar.cc",
      "native/kernels/conv/im2col.cc",
      "native/kernels/conv/conv2d_im2col.cc",
      "native/kernels/conv/conv2d_pointwise.cc",
      "native/kernels/conv/conv2d_direct.cc",
      "native/kernels/conv/conv2d_winograd.cc",
      "native/kernels/conv/conv2d_definition.cc",
      "native/kernels/pool/pool2d.cc",
      "native/kernels/pool/max_pool_phased.cc",
      "native/kernels/pool/max_pool_argmax.cc",
      "native/kernels/pool/f32_pool_loops__baseline.cc",
      "native/kernels/eltwise/activation.cc",
      "native/kernels/eltwise/add.cc",
      "native/kernels/eltwise/channel_ops.cc",
      "native/kernels/eltwise/batch_norm.cc",
      "native/kernels/eltwise/softmax.cc",
      "native/kernels/loss/softmax_cross_entropy.cc",
      "native/kernels/loss/mse.cc",
      "native/kernels/optim/sgd.cc",
      "native/kernels/optim/adam.cc",
      "native/kernels/optim/rmsprop.cc",
      "native/kernels/probe/peak.cc",
      "native/kernels/probe/f32_fma_peak__scalar.cc"
    ],
    "convnode_avx2_sources": [
      "native/kernels/gemm/f32_gemm_ukernel_6x16__avx2_fma.cc",
      "native/kernels/gemm/f32_gemm_direct_a__avx2_fma.cc",
      "native/kernels/gemm/f32_gemm_few_rows__avx2_fma.cc",
      "native/kernels/conv/f32_conv_direct__avx2_fma.cc",
      "native/kernels/conv/f32_conv_winograd__avx2_fma.cc",
      "native/kernels/pool/f32_pool_loops__avx2_fma.cc",
      "native/kernels/probe/f32_fma_peak__avx2_fma.cc"
    ],
    "convnode_avx2_flags": [
      "-mavx2",
      "-mfma"
    ],
    "convnode_avx512_sources": [
      "native/kernels/gemm/f32_gemm_ukernel_12x32__avx512.cc",
      "native/kernels/gemm/f32_gemm_direct_a__avx512.cc",
      "native/kernels/gemm/f32_gemm_few_rows__avx512.cc",
      "native/kernels/conv/f32_conv_direct__avx512.cc",
      "native/kernels/conv/f32_conv_winograd__avx512.cc",
      "native/kernels/pool/f32_pool_loops__avx512.cc",
      "native/kernels/probe/f32_fma_peak__avx512.cc"
    ],
    "convnode_avx512_flags": [
      "-mavx512f"
    ],
    "convnode_neon_sources": [
      "native/kernels/gemm/f32_gemm_ukernel_8x12__neon.cc",
      "native/kernels/probe/f32_fma_peak__neon.cc"
    ],
    "convnode_napi_sources": [
      "native/napi/addon.cc",
      "native/napi/guard.cc",
      "native/napi/gemm_entry.cc",
      "native/napi/conv_entry.cc",
      "native/napi/pool_entry.cc",
      "native/napi/eltwise_entry.cc",
      "native/napi/norm_entry.cc",
      "native/napi/loss_entry.cc",
      "native/napi/optim_entry.cc",
      "native/napi/runtime_entry.cc"
    ],
    "convnode_common_flags": [
      "-O3",
      "-fno-math-errno",
      "-std=c++17",
      "-fvisibility=hidden",
      "-fexceptions"
    ]
  },
  "target_defaults": {
    "include_dirs": [
      "native/include",
      "native"
    ],
    "cflags!": [
      "-fno-exceptions"
    ],
    "cflags_cc!": [
      "-fno-exceptions",
      "-fno-rtti",
      "-std=gnu++14",
      "-std=gnu++17"
    ],
    "cflags_cc": [
      "<@(convnode_common_flags)"
    ],
    "defines": [
      "NAPI_VERSION=8"
    ],
    "conditions": [
      [
        "convnode_openmp==1",
        {
          "cflags_cc": [
            "-fopenmp"
          ],
          "ldflags": [
            "-fopenmp"
          ],
          "xcode_settings": {
            "OTHER_CPLUSPLUSFLAGS": [
              "-fopenmp"
            ],
            "OTHER_LDFLAGS": [
              "-fopenmp"
            ]
          }
        }
      ],
      [
        "OS=='linux'",
        {
          "ldflags": [
            "-Wl,-rpath,'$$ORIGIN'"
          ]
        }
      ]
    ],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "OTHER_CPLUSPLUSFLAGS": [
        "<@(convnode_common_flags)"
      ]
    }
  },
  "conditions": [
    [
      "target_arch=='x64'",
      {
        "targets": [
          {
            "target_name": "convnode_avx2",
            "type": "static_library",
            "sources": [
              "<@(convnode_avx2_sources)"
            ],
            "cflags_cc": [
              "<@(convnode_avx2_flags)"
            ]
          },
          {
            "target_name": "convnode_avx512",
            "type": "static_library",
            "sources": [
              "<@(convnode_avx512_sources)"
            ],
            "cflags_cc": [
              "<@(convnode_avx512_flags)"
            ]
          }
        ]
      }
    ]
  ],
  "targets": [
    {
      "target_name": "convnode",
      "sources": [
        "<@(convnode_core_sources)",
        "<@(convnode_napi_sources)"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "conditions": [
        [
          "target_arch=='x64'",
          {
            "dependencies": [
              "convnode_avx2",
              "convnode_avx512"
            ]
          }
        ],
        [
          "target_arch=='arm64'",
          {
            "sources": [
              "<@(convnode_neon_sources)"
            ]
          }
        ]
      ]
    }
  ]
}
