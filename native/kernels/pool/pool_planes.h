// How the pooling kernels split their work: one (n, c) plane per unit,
// over the thread count, with per-thread scratch built on first use.
#pragma once

#include <cstdint>
#include <optional>
#include <tuple>

#include "convnode/kernels.h"
#include "convnode/runtime.h"

namespace convnode {

// fn(p, std::optional<Scratch>&...) for every plane p. Below 32K input
// floats in all, one thread: the fork and join would cost more.
// With no Scratch types, fn(p).
template <typename... Scratch, typename PlaneFn>
void for_each_plane(const Pool2dShape& s, PlaneFn&& fn) {
  const int64_t planes = s.n * s.c;
  // Run here, not in an if(false) region: libgomp still builds a team for that.
  if (planes * s.h * s.w <= (1 << 15) || num_threads() <= 1) {
    std::tuple<std::optional<Scratch>...> scratch;
    for (int64_t p = 0; p < planes; ++p) fn(p, std::get<std::optional<Scratch>>(scratch)...);
    return;
  }
#pragma omp parallel num_threads(num_threads())
  {
    std::tuple<std::optional<Scratch>...> scratch;
#pragma omp for schedule(static)
    for (int64_t p = 0; p < planes; ++p) fn(p, std::get<std::optional<Scratch>>(scratch)...);
  }
}

}  // namespace convnode
