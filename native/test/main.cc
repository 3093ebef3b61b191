// C++ kernel tests, run on every ISA path this CPU has (and, cross-compiled,
// on arm64 under qemu for the NEON path). Each optimised kernel is checked
// against a naive double-precision reference written from the definition,
// with a tolerance derived from the reduction length: k * eps * max|term|;
// each microkernel is also run alone on edge tiles (ukernel_tests.cc).
// Prints "N passed, M failed" and exits non-zero on any failure.
#include <cstdio>

#include "harness.h"

int main() {
  std::printf("ISA paths available:");
  for (Isa isa : available_isas()) std::printf(" %s", isa_name(isa));
  std::printf("\n");
  for (Isa isa : available_isas()) {
    set_active_isa(isa);
    current_isa = isa_name(isa);
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      const std::string tag = std::string(isa_name(isa)) + "/t" + std::to_string(threads);
      const int before = failures();
      gemm_ukernel_tests(tag);
      gemm_tests(tag);
      conv_tests(tag);
      pool_tests(tag);
      eltwise_tests(tag);
      probe_tests(isa, threads, tag);
      std::printf("%-12s %s\n", tag.c_str(), failures() == before ? "ok" : "FAILED");
    }
    conv_thread_invariance_tests(isa_name(isa));
    gemm_thread_invariance_tests(isa_name(isa));
  }
  set_active_isa(available_isas().front());
  current_isa = isa_name(available_isas().front());
  worked_example_tests();
  thread_lease_tests();
  optimizer_list_tests();
  print_summary();
  return failures() == 0 ? 0 : 1;
}
