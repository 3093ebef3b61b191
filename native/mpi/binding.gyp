{
  "targets": [
    {
      "target_name": "convnode_mpi",
      "sources": ["mpi_binding.cc"],
      "defines": ["NAPI_VERSION=8", "OMPI_SKIP_MPICXX=1", "MPICH_SKIP_MPICXX=1"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++17"],
      "cflags_cc": ["-O2", "-std=c++17", "-fvisibility=hidden", "<!@(node ../../scripts/mpi-flags.js compile)"],
      "libraries": ["<!@(node ../../scripts/mpi-flags.js link)"]
    }
  ]
}
