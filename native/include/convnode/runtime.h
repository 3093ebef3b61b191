// Runtime configuration shared by every kernel: the instruction-set path and
// the thread count. Both are process-wide and read at load from the
// environment (CONVNODE_ISA, CONVNODE_NUM_THREADS), then settable from the API.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace convnode {

// Ordered from the most portable to the most capable.
enum class Isa { kScalar = 0, kNeon = 1, kAvx2 = 2, kAvx512 = 3 };

const char* isa_name(Isa isa);
// Parses "scalar", "neon", "avx2", "avx512"; false for anything else.
bool isa_from_name(const std::string& name, Isa* out);

// Every path this CPU (and this binary) can run, best first; scalar is last
// and always present.
const std::vector<Isa>& available_isas();
bool isa_available(Isa isa);
Isa active_isa();
// Switch paths; returns false (and changes nothing) if isa is not available.
bool set_active_isa(Isa isa);

// What CONVNODE_ISA asked for at load and what came of it, for the loader to
// report: empty when the variable was unset and the best path was chosen.
const std::string& isa_env_note();

// Threads the current kernel call may use: its lease's grant while a
// ThreadLease is held on this thread, else the setting.
int num_threads();
int thread_setting();         // what set_num_threads / CONVNODE_NUM_THREADS chose
void set_num_threads(int n);  // n >= 1
int max_threads();            // the OpenMP team size available (omp_get_num_procs)
// Threads currently granted to kernel calls in progress, process-wide.
int threads_in_use();

// Held for the length of one kernel call (the N-API entry takes one). Calls
// made at the same time from several JavaScript threads (workers) share the
// cores instead of each opening a full OpenMP team: a lease is granted the
// setting's thread count less the threads other calls already hold, and
// never less than 1 (the calling thread itself, which runs anyway). Leases
// nest: an inner one on the same thread keeps the outer grant.
class ThreadLease {
 public:
  ThreadLease();
  ~ThreadLease();
  ThreadLease(const ThreadLease&) = delete;
  ThreadLease& operator=(const ThreadLease&) = delete;
  int granted() const { return granted_; }

 private:
  int granted_ = 0;
  bool outer_ = false;
};

}  // namespace convnode
