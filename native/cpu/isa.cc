// ISA detection and the process-wide choice of kernel path.
//
// Detection runs once, at static initialisation: cpuid via the compiler's
// __builtin_cpu_supports on x86 (which also checks that the OS saves the
// wider registers), hwcaps on arm64. CONVNODE_ISA can only lower the choice:
// a path the CPU lacks is never selected, so a forced path cannot fault.
#include <atomic>
#include <cstdlib>
#include <string>
#include <vector>

#include "convnode/runtime.h"

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#include <asm/hwcap.h>
#endif

namespace convnode {
namespace {

std::vector<Isa> detect() {
  std::vector<Isa> found;
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) found.push_back(Isa::kAvx512);
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    found.push_back(Isa::kAvx2);
#elif defined(__aarch64__)
#if defined(__linux__)
  if (getauxval(AT_HWCAP) & HWCAP_ASIMD) found.push_back(Isa::kNeon);
#else
  found.push_back(Isa::kNeon);  // Advanced SIMD is mandatory in armv8-a
#endif
#endif
  found.push_back(Isa::kScalar);
  return found;
}

struct IsaState {
  std::vector<Isa> available = detect();
  std::atomic<int> active{static_cast<int>(available.front())};
  std::string env_note;

  IsaState() {
    const char* env = std::getenv("CONVNODE_ISA");
    if (env == nullptr || *env == '\0') return;
    std::string want(env);
    Isa isa;
    if (!isa_from_name(want, &isa)) {
      env_note = "CONVNODE_ISA='" + want +
                 "' is not one of scalar, neon, avx2, avx512; using " +
                 isa_name(available.front());
      return;
    }
    // The best available path at or below the request.
    for (Isa a : available) {
      if (static_cast<int>(a) <= static_cast<int>(isa)) {
        active = static_cast<int>(a);
        break;
      }
    }
    if (isa_name(static_cast<Isa>(active.load())) != want)
      env_note = "CONVNODE_ISA='" + want + "' is not available on this CPU; using " +
                 isa_name(static_cast<Isa>(active.load()));
    else
      env_note = "CONVNODE_ISA='" + want + "' selected";
  }
};

IsaState& state() {
  static IsaState s;
  return s;
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kNeon: return "neon";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
  }
  return "unknown";
}

bool isa_from_name(const std::string& name, Isa* out) {
  for (Isa isa : {Isa::kScalar, Isa::kNeon, Isa::kAvx2, Isa::kAvx512}) {
    if (name == isa_name(isa)) {
      *out = isa;
      return true;
    }
  }
  return false;
}

const std::vector<Isa>& available_isas() { return state().available; }

bool isa_available(Isa isa) {
  for (Isa a : state().available)
    if (a == isa) return true;
  return false;
}

Isa active_isa() { return static_cast<Isa>(state().active.load()); }

bool set_active_isa(Isa isa) {
  if (!isa_available(isa)) return false;
  state().active = static_cast<int>(isa);
  return true;
}

const std::string& isa_env_note() { return state().env_note; }

}  // namespace convnode
