// oneDNN's own convolution as a bench peer (bench/src/onednn.ts builds this
// file where libdnnl-dev is installed and drives one process per thread
// count). Each case is a primitive on memory in the layout oneDNN picks for
// itself (format "any": the blocked nChw16c / OIhw16i16o layouts on AVX-512),
// allocated and filled once, so the timed region holds no reorders.
//
// Protocol, one line each way:
//   info                                  -> version <v> isa <isa> runtime <omp|seq|...> threads <n>
//   prepare <id> <dir> <algo> n c h w k kh kw sh sw ph pw
//                                         -> ok <implementation name> | unsupported <reason>
//   run <id> <reps>                       -> <seconds for reps runs>
// dir: forward | backwardData | backwardWeight; algo: direct | auto.
#include <dnnl.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

struct Case {
  dnnl::primitive prim;
  std::unordered_map<int, memory> args;
};

// Small values: no denormals, no overflow, whatever the layout puts where.
void fill(memory& m, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  float* p = static_cast<float*>(m.get_data_handle());
  const size_t n = m.get_desc().get_size() / sizeof(float);
  for (size_t i = 0; i < n; ++i) p[i] = u(rng);
}

const char* isa_name(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    default: return "other";
  }
}

}  // namespace

int main() {
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream strm(eng);
  std::mt19937 rng(7);
  std::map<long, Case> cases;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string op;
    in >> op;
    try {
      if (op == "info") {
        const dnnl_version_t* v = dnnl_version();
        int threads = 1;
#ifdef _OPENMP
        threads = omp_get_max_threads();
#endif
        std::cout << "version " << v->major << "." << v->minor << "." << v->patch << " isa "
                  << isa_name(dnnl::get_effective_cpu_isa()) << " runtime "
                  << (v->cpu_runtime == DNNL_RUNTIME_OMP ? "omp" : v->cpu_runtime == DNNL_RUNTIME_SEQ ? "seq" : "other")
                  << " threads " << threads << std::endl;
      } else if (op == "prepare") {
        long id;
        std::string dir, algo_name;
        memory::dim n, c, h, w, k, kh, kw, sh, sw, ph, pw;
        in >> id >> dir >> algo_name >> n >> c >> h >> w >> k >> kh >> kw >> sh >> sw >> ph >> pw;
        if (!in) throw std::runtime_error("bad prepare line");
        const memory::dim ho = (h + 2 * ph - kh) / sh + 1, wo = (w + 2 * pw - kw) / sw + 1;
        const auto algo = algo_name == "auto" ? dnnl::algorithm::convolution_auto : dnnl::algorithm::convolution_direct;
        const memory::desc src({n, c, h, w}, dt::f32, tag::any), wei({k, c, kh, kw}, dt::f32, tag::any),
            dst({n, k, ho, wo}, dt::f32, tag::any);
        const memory::dims strides{sh, sw}, pad{ph, pw};
        dnnl::convolution_forward::desc fd(dnnl::prop_kind::forward_training, algo, src, wei, dst, strides, pad, pad);
        dnnl::convolution_forward::primitive_desc fpd(fd, eng);
        Case cs;
        std::string impl;
        if (dir == "forward") {
          cs.prim = dnnl::convolution_forward(fpd);
          cs.args = {{DNNL_ARG_SRC, memory(fpd.src_desc(), eng)}, {DNNL_ARG_WEIGHTS, memory(fpd.weights_desc(), eng)},
                     {DNNL_ARG_DST, memory(fpd.dst_desc(), eng)}};
          impl = fpd.impl_info_str();
        } else if (dir == "backwardData") {
          dnnl::convolution_backward_data::desc bd(algo, src, wei, dst, strides, pad, pad);
          dnnl::convolution_backward_data::primitive_desc bpd(bd, eng, fpd);
          cs.prim = dnnl::convolution_backward_data(bpd);
          cs.args = {{DNNL_ARG_DIFF_DST, memory(bpd.diff_dst_desc(), eng)}, {DNNL_ARG_WEIGHTS, memory(bpd.weights_desc(), eng)},
                     {DNNL_ARG_DIFF_SRC, memory(bpd.diff_src_desc(), eng)}};
          impl = bpd.impl_info_str();
        } else if (dir == "backwardWeight") {
          dnnl::convolution_backward_weights::desc bd(algo, src, wei, dst, strides, pad, pad);
          dnnl::convolution_backward_weights::primitive_desc bpd(bd, eng, fpd);
          cs.prim = dnnl::convolution_backward_weights(bpd);
          cs.args = {{DNNL_ARG_SRC, memory(bpd.src_desc(), eng)}, {DNNL_ARG_DIFF_DST, memory(bpd.diff_dst_desc(), eng)},
                     {DNNL_ARG_DIFF_WEIGHTS, memory(bpd.diff_weights_desc(), eng)}};
          impl = bpd.impl_info_str();
        } else {
          throw std::runtime_error("unknown direction " + dir);
        }
        for (auto& [arg, m] : cs.args) fill(m, rng);
        cs.prim.execute(strm, cs.args);  // the first run: page faults and JIT, untimed
        strm.wait();
        cases[id] = std::move(cs);
        std::cout << "ok " << impl << std::endl;
      } else if (op == "run") {
        long id, reps;
        in >> id >> reps;
        Case& cs = cases.at(id);
        const auto t0 = std::chrono::steady_clock::now();
        for (long r = 0; r < reps; ++r) cs.prim.execute(strm, cs.args);
        strm.wait();
        const std::chrono::duration<double> dt_s = std::chrono::steady_clock::now() - t0;
        std::printf("%.9f\n", dt_s.count());
        std::fflush(stdout);
      } else {
        std::cout << "unsupported unknown request " << op << std::endl;
      }
    } catch (const std::exception& e) {
      std::string msg = e.what();
      for (char& ch : msg) if (ch == '\n') ch = ' ';
      std::cout << "unsupported " << msg << std::endl;
    }
  }
  return 0;
}
