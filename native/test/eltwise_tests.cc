// Activations, PReLU, bias, softmax, losses and optimizer updates against
// closed forms; the list forms of the updates against one call per tensor.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "convnode/kernels.h"
#include "convnode/runtime.h"
#include "harness.h"
#include "kernels/parallel_ranges.h"

namespace {

void test_eltwise(const std::string& tag) {
  const int64_t n = 1003;
  const size_t len = 1003;
  auto x = random_vec(len, -4.0f, 4.0f);
  auto dy = random_vec(len);
  ActivationParams ap;
  ap.alpha = 0.2f;
  ap.min_val = -0.5f;
  ap.max_val = 1.5f;
  struct Ref { Activation kind; const char* name; double (*f)(double); double (*df)(double); };
  const Ref refs[] = {
      {Activation::kIdentity, "identity", [](double v) { return v; }, [](double) { return 1.0; }},
      {Activation::kRelu, "relu", [](double v) { return v <= 0 ? 0.0 : v; }, [](double v) { return v <= 0 ? 0.0 : 1.0; }},
      {Activation::kLeakyRelu, "leaky_relu", [](double v) { return v > 0 ? v : 0.2 * v; }, [](double v) { return v > 0 ? 1.0 : 0.2; }},
      {Activation::kTanh, "tanh", [](double v) { return std::tanh(v); }, [](double v) { return 1 - std::tanh(v) * std::tanh(v); }},
      {Activation::kSigmoid, "sigmoid", [](double v) { return 1 / (1 + std::exp(-v)); },
       [](double v) { const double e = 1 / (1 + std::exp(-v)); return e * (1 - e); }},
      {Activation::kHardtanh, "hardtanh", [](double v) { return std::min(1.5, std::max(-0.5, v)); },
       [](double v) { return v > -0.5 && v < 1.5 ? 1.0 : 0.0; }},
  };
  for (const Ref& r : refs) {
    std::vector<float> y(len), dx(len);
    std::vector<double> y_ref(len), dx_ref(len);
    for (int64_t i = 0; i < n; ++i) {
      y_ref[size_t(i)] = r.f(x[size_t(i)]);
      dx_ref[size_t(i)] = dy[size_t(i)] * r.df(x[size_t(i)]);
    }
    activation_forward(r.kind, ap, n, x.data(), y.data());
    activation_backward(r.kind, ap, n, x.data(), y.data(), dy.data(), dx.data());
    check(close_rel(y, y_ref, 1e-6), "activation_forward", tag + " " + r.name);
    check(close_rel(dx, dx_ref, 1e-5), "activation_backward", tag + " " + r.name);
  }

  // add: one rounding of the exact sum, out of place and in place, on both
  // sides of the parallel split (kParallelMinElements, parallel_ranges.h).
  for (const int64_t count : {int64_t(5), 2 * kParallelMinElements}) {
    auto a = random_vec(size_t(count)), b = random_vec(size_t(count));
    std::vector<float> y(static_cast<size_t>(count)), want(static_cast<size_t>(count));
    for (size_t i = 0; i < size_t(count); ++i) want[i] = float(double(a[i]) + double(b[i]));
    add(count, a.data(), b.data(), y.data());
    check(y == want, "add", tag + " " + std::to_string(count));
    add(count, a.data(), b.data(), a.data());
    check(a == want, "add", tag + " in place " + std::to_string(count));
  }

  // A ReLU folded into add and into batch norm's passes: the bits of the
  // separate kernels (add, channel_affine, then activation_forward's ReLU;
  // ReLU's activation_backward, then the plain passes), across the parallel
  // split, with NaN (passes) and exactly 0 (cut) among the outputs and Inf
  // in dy where the mask cuts it.
  for (const ChannelShape bs : {ChannelShape{2, 3, 7}, ChannelShape{2 * kParallelMinElements / (16 * 1024), 16, 1024}}) {
    const int64_t len = bs.n * bs.c * bs.hw;
    auto a = random_vec(size_t(len)), b = random_vec(size_t(len)), dy = random_vec(size_t(len));
    auto scale = random_vec(size_t(bs.c)), shift = random_vec(size_t(bs.c)), mean = random_vec(size_t(bs.c));
    auto dc = random_vec(size_t(bs.c));
    a[0] = NAN;
    b[1] = -a[1];
    std::vector<float> sum(static_cast<size_t>(len)), want(sum.size()), got(sum.size());
    add(len, a.data(), b.data(), sum.data());
    activation_forward(Activation::kRelu, ActivationParams{}, len, sum.data(), want.data());
    add_relu(len, a.data(), b.data(), got.data());
    const auto same = [](const std::vector<float>& p, const std::vector<float>& q) {
      return std::memcmp(p.data(), q.data(), p.size() * sizeof(float)) == 0;
    };
    check(same(got, want), "add_relu", tag + " " + std::to_string(len));
    std::vector<float> affine(sum.size()), relu_out(sum.size());
    channel_affine(bs, a.data(), scale.data(), shift.data(), affine.data());
    activation_forward(Activation::kRelu, ActivationParams{}, len, affine.data(), want.data());
    channel_affine_relu(bs, a.data(), scale.data(), shift.data(), relu_out.data());
    check(same(relu_out, want), "channel_affine_relu", tag + " " + std::to_string(len));
    for (int64_t i = 0; i < len; i += 5)
      if (relu_out[size_t(i)] <= 0.0f) dy[size_t(i)] = INFINITY;
    std::vector<float> masked(sum.size());
    activation_backward(Activation::kRelu, ActivationParams{}, len, relu_out.data(), relu_out.data(), dy.data(), masked.data());
    std::vector<float> sd_want(static_cast<size_t>(bs.c)), sx_want(sd_want.size()), sd(sd_want.size()), sx(sd_want.size());
    channel_grad_sums(bs, masked.data(), a.data(), mean.data(), sd_want.data(), sx_want.data());
    channel_grad_sums(bs, dy.data(), a.data(), mean.data(), sd.data(), sx.data(), relu_out.data());
    check(same(sd, sd_want) && same(sx, sx_want), "channel_grad_sums", tag + " relu folded " + std::to_string(len));
    channel_combine(bs, masked.data(), a.data(), scale.data(), shift.data(), dc.data(), want.data());
    channel_combine(bs, dy.data(), a.data(), scale.data(), shift.data(), dc.data(), got.data(), relu_out.data());
    check(same(got, want), "channel_combine", tag + " relu folded " + std::to_string(len));
  }

  // Batch norm's sums (moments; gradient sums with and without a folded
  // ReLU) and the bias gradient (channel_sums.h) against double sums, and
  // the same bits on 1 and 2 threads: the batch goes in fixed chunks of
  // images (a batch of 3 is 3 chunks, of 17 with 2048-pixel rows 4 chunks
  // across the parallel split), and x is far from zero (the moments shift
  // by each channel's first value).
  for (const ChannelShape bs : {ChannelShape{3, 5, 7}, ChannelShape{17, 6, 2048}}) {
    const size_t len = size_t(bs.n * bs.c * bs.hw), c = size_t(bs.c);
    auto x = random_vec(len, 999.0f, 1001.0f), dy = random_vec(len), r = random_vec(len), mean = random_vec(c);
    std::vector<double> sum(c), sq(c), sd(c), sdx(c), sdr(c), sdxr(c), sc(c);
    for (size_t i = 0; i < len; ++i) {
      const size_t ch = (i / size_t(bs.hw)) % c;
      const double masked = r[i] > 0.0f ? dy[i] : 0.0;
      sum[ch] += x[i];
      sd[ch] += dy[i];
      sdx[ch] += double(dy[i]) * (double(x[i]) - mean[ch]);
      sdr[ch] += masked;
      sdxr[ch] += masked * (double(x[i]) - mean[ch]);
      sc[ch] += std::fabs(dy[i]) * (std::fabs(double(x[i])) + std::fabs(mean[ch]));
    }
    const double count = double(bs.n * bs.hw);
    std::vector<double> abs_dy(c);
    for (size_t i = 0; i < len; ++i) {
      const size_t ch = (i / size_t(bs.hw)) % c;
      const double d = x[i] - sum[ch] / count;
      sq[ch] += d * d;
      abs_dy[ch] += std::fabs(dy[i]);
    }
    bool moments_ok = true, sums_ok = true;
    std::vector<float> runs[2][7];
    const int threads_before = thread_setting();
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      auto& out = runs[threads - 1];
      for (auto& v : out) v.assign(c, 0.0f);
      channel_moments(bs, x.data(), out[0].data(), out[1].data());
      channel_grad_sums(bs, dy.data(), x.data(), mean.data(), out[2].data(), out[3].data());
      channel_grad_sums(bs, dy.data(), x.data(), mean.data(), out[4].data(), out[5].data(), r.data());
      bias_grad(bs, dy.data(), out[6].data());
    }
    const double eps = 1.2e-7, terms = double(bs.hw) + double(bs.n) + 2;
    for (size_t ch = 0; ch < c; ++ch) {
      const auto& o = runs[0];
      // The mean to float rounding (1000 +- 1: 6e-5); the variance (about
      // 1/3) to the float lanes' sums of shifted squares.
      moments_ok &= std::fabs(o[0][ch] - sum[ch] / count) <= 2 * 1e3 * eps &&
                    std::fabs(o[1][ch] - sq[ch] / count) <= terms * eps * 4.0;
      sums_ok &= std::fabs(o[2][ch] - sd[ch]) <= terms * eps * abs_dy[ch] &&
                 std::fabs(o[3][ch] - sdx[ch]) <= terms * eps * sc[ch] &&
                 std::fabs(o[4][ch] - sdr[ch]) <= terms * eps * abs_dy[ch] &&
                 std::fabs(o[5][ch] - sdxr[ch]) <= terms * eps * sc[ch] &&
                 std::fabs(o[6][ch] - sd[ch]) <= terms * eps * abs_dy[ch];
    }
    bool same_bits = true;
    for (int v = 0; v < 7; ++v) same_bits &= std::memcmp(runs[0][v].data(), runs[1][v].data(), c * sizeof(float)) == 0;
    const std::string shape = " n=" + std::to_string(bs.n) + " c=" + std::to_string(bs.c) + " hw=" + std::to_string(bs.hw);
    check(moments_ok, "channel_moments", tag + " against double sums" + shape);
    check(sums_ok, "channel_grad_sums", tag + " and bias_grad against double sums" + shape);
    check(same_bits, "channel_moments", tag + " the same bits on 1 and 2 threads" + shape);
    set_num_threads(threads_before);
  }

  // PReLU, bias add and bias gradient over [n=3, c=4, hw=5].
  const ChannelShape cs{3, 4, 5};
  auto slope = random_vec(4, 0.0f, 0.5f), bias = random_vec(4);
  auto xs = random_vec(60), gs = random_vec(60);
  std::vector<float> y(60), dx(60), dslope(4), yb(60), db(4);
  std::vector<double> y_ref(60), dx_ref(60), ds_ref(4), yb_ref(60), db_ref(4);
  for (int64_t i = 0; i < 60; ++i) {
    const int64_t c = (i / 5) % 4;
    const double v = xs[size_t(i)], g = gs[size_t(i)];
    y_ref[size_t(i)] = v > 0 ? v : slope[size_t(c)] * v;
    dx_ref[size_t(i)] = v > 0 ? g : slope[size_t(c)] * g;
    if (v <= 0) ds_ref[size_t(c)] += v * g;
    yb_ref[size_t(i)] = v + bias[size_t(c)];
    db_ref[size_t(c)] += g;
  }
  prelu_forward(cs, 4, xs.data(), slope.data(), y.data());
  prelu_backward(cs, 4, xs.data(), slope.data(), gs.data(), dx.data(), dslope.data());
  bias_add(cs, xs.data(), bias.data(), yb.data());
  bias_grad(cs, gs.data(), db.data());
  check(close_rel(y, y_ref, 1e-6), "prelu_forward", tag);
  check(close_rel(dx, dx_ref, 1e-6) && close_rel(dslope, ds_ref, 1e-5), "prelu_backward", tag);
  check(close_rel(yb, yb_ref, 1e-6), "bias_add", tag);
  check(close_rel(db, db_ref, 1e-5), "bias_grad", tag);

  // Softmax family over [rows=5, cols=7], with a huge logit for stability.
  const int64_t rows = 5, cols = 7;
  auto logits = random_vec(size_t(rows * cols), -5.0f, 5.0f);
  logits[3] = 80.0f;
  auto g = random_vec(size_t(rows * cols));
  std::vector<int32_t> labels = {0, 6, 3, 3, 1};
  std::vector<double> p_ref(size_t(rows * cols)), lp_ref(p_ref.size()), dsm_ref(p_ref.size()),
      dlsm_ref(p_ref.size()), dce_ref(p_ref.size());
  double loss_ref = 0;
  for (int64_t r = 0; r < rows; ++r) {
    double mx = -INFINITY, sum = 0, dot = 0, gsum = 0;
    for (int64_t j = 0; j < cols; ++j) mx = std::max(mx, double(logits[size_t(r * cols + j)]));
    for (int64_t j = 0; j < cols; ++j) sum += std::exp(logits[size_t(r * cols + j)] - mx);
    for (int64_t j = 0; j < cols; ++j) {
      const size_t i = size_t(r * cols + j);
      lp_ref[i] = logits[i] - mx - std::log(sum);
      p_ref[i] = std::exp(lp_ref[i]);
      dot += p_ref[i] * g[i];
      gsum += g[i];
    }
    for (int64_t j = 0; j < cols; ++j) {
      const size_t i = size_t(r * cols + j);
      dsm_ref[i] = p_ref[i] * (g[i] - dot);
      dlsm_ref[i] = g[i] - p_ref[i] * gsum;
      dce_ref[i] = 0.5 * (p_ref[i] - (j == labels[size_t(r)] ? 1.0 : 0.0));
    }
    loss_ref -= lp_ref[size_t(r * cols + labels[size_t(r)])] / double(rows);
  }
  std::vector<float> p(p_ref.size()), lp(p_ref.size()), dsm(p_ref.size()), dlsm(p_ref.size()),
      probs(p_ref.size()), dce(p_ref.size());
  softmax_forward(rows, cols, logits.data(), p.data());
  log_softmax_forward(rows, cols, logits.data(), lp.data());
  softmax_backward(rows, cols, p.data(), g.data(), dsm.data());
  log_softmax_backward(rows, cols, lp.data(), g.data(), dlsm.data());
  ClassTarget t;
  t.labels = labels.data();
  const double loss = softmax_cross_entropy_forward(rows, cols, logits.data(), t, probs.data());
  softmax_cross_entropy_backward(rows, cols, probs.data(), t, 0.5f, dce.data());
  check(close_rel(p, p_ref, 1e-6), "softmax_forward", tag);
  check(close_rel(lp, lp_ref, 1e-6), "log_softmax_forward", tag);
  check(close_rel(dsm, dsm_ref, 1e-6), "softmax_backward", tag);
  check(close_rel(dlsm, dlsm_ref, 1e-6), "log_softmax_backward", tag);
  check(std::fabs(loss - loss_ref) <= 1e-6 * std::max(1.0, loss_ref) && close_rel(probs, p_ref, 1e-6),
        "softmax_cross_entropy_forward", tag);
  check(close_rel(dce, dce_ref, 1e-6), "softmax_cross_entropy_backward", tag);
  // In place (dlogits is probs): the label's probability is read before the row is written.
  std::vector<float> in_place = probs;
  softmax_cross_entropy_backward(rows, cols, in_place.data(), t, 0.5f, in_place.data());
  check(close_rel(in_place, dce_ref, 1e-6), "softmax_cross_entropy_backward", tag + " in place");
  // Soft targets whose rows do not sum to 1: d/dz sum_j t_j (lse - z_j) = p * sum(t) - t.
  {
    std::vector<float> soft(p_ref.size());
    for (size_t i = 0; i < soft.size(); ++i) soft[i] = float((i * 7) % 5) * 0.1f;  // row sums other than 1
    std::vector<double> want(soft.size());
    for (int64_t r = 0; r < rows; ++r) {
      double mass = 0;
      for (int64_t j = 0; j < cols; ++j) mass += soft[size_t(r * cols + j)];
      for (int64_t j = 0; j < cols; ++j) {
        const size_t i = size_t(r * cols + j);
        want[i] = 0.5 * (p_ref[i] * mass - soft[i]);
      }
    }
    ClassTarget st;
    st.probs = soft.data();
    std::vector<float> got(soft.size());
    softmax_cross_entropy_backward(rows, cols, probs.data(), st, 0.5f, got.data());
    check(close_rel(got, want, 1e-5), "softmax_cross_entropy_backward", tag + " soft targets not summing to 1");
  }

  // MSE.
  double mse_ref = 0;
  std::vector<double> dmse_ref(len);
  for (int64_t i = 0; i < n; ++i) {
    const double d = double(x[size_t(i)]) - dy[size_t(i)];
    mse_ref += d * d;
    dmse_ref[size_t(i)] = 2 * 0.25 * d;
  }
  std::vector<float> dmse(len);
  check(std::fabs(mse_forward(n, x.data(), dy.data()) - mse_ref) <= 1e-9 * mse_ref, "mse_forward", tag);
  mse_backward(n, x.data(), dy.data(), 0.25f, dmse.data());
  check(close_rel(dmse, dmse_ref, 1e-6), "mse_backward", tag);

  // SGD with momentum, nesterov and weight decay, three steps; Adam and AdamW.
  for (bool nesterov : {false, true}) {
    auto param = random_vec(101), buf = std::vector<float>(101);
    std::vector<double> p_d(param.begin(), param.end()), b_d(101);
    for (int64_t step = 1; step <= 3; ++step) {
      auto grad = random_vec(101);
      SgdParams sp{0.1f, 0.9f, 0.0f, 0.01f, nesterov, step};
      sgd_update(sp, 101, param.data(), grad.data(), buf.data());
      for (size_t i = 0; i < 101; ++i) {
        double d = grad[i] + 0.01 * p_d[i];
        b_d[i] = step == 1 ? d : 0.9 * b_d[i] + d;
        d = nesterov ? d + 0.9 * b_d[i] : b_d[i];
        p_d[i] -= 0.1 * d;
      }
    }
    check(close_rel(param, p_d, 1e-5), "sgd_update", tag + (nesterov ? " nesterov" : ""));
  }
  for (bool decoupled : {false, true})
    for (bool amsgrad : {false, true}) {
      auto param = random_vec(101);
      std::vector<float> m(101), v(101), vmax(101);
      std::vector<double> p_d(param.begin(), param.end()), m_d(101), v_d(101), vmax_d(101);
      for (int64_t step = 1; step <= 4; ++step) {
        // Large gradients first, then small ones: AMSGrad's maximum then differs from v.
        auto grad = random_vec(101, step <= 2 ? -2.0f : -0.1f, step <= 2 ? 2.0f : 0.1f);
        AdamParams ap2{0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, decoupled, step, amsgrad};
        adam_update(ap2, 101, param.data(), grad.data(), m.data(), v.data(), amsgrad ? vmax.data() : nullptr);
        for (size_t i = 0; i < 101; ++i) {
          double gi = grad[i] + (decoupled ? 0.0 : 0.1 * p_d[i]);
          if (decoupled) p_d[i] *= 1 - 0.01 * 0.1;
          m_d[i] = 0.9 * m_d[i] + 0.1 * gi;
          v_d[i] = 0.999 * v_d[i] + 0.001 * gi * gi;
          vmax_d[i] = std::max(vmax_d[i], v_d[i]);
          const double mh = m_d[i] / (1 - std::pow(0.9, double(step)));
          const double vh = (amsgrad ? vmax_d[i] : v_d[i]) / (1 - std::pow(0.999, double(step)));
          p_d[i] -= 0.01 * mh / (std::sqrt(vh) + 1e-8);
        }
      }
      check(close_rel(param, p_d, 1e-5), "adam_update", tag + (decoupled ? " adamw" : "") + (amsgrad ? " amsgrad" : ""));
    }
}

// One optimizer call over a list of tensors gives the bits of one call per
// tensor, at 1 and 2 threads (the list's total crosses the threading
// threshold, and the split points fall inside tensors).
void test_optimizer_lists() {
  const std::vector<int64_t> lens = {5, 0, 40000, 1, 777, 12345};
  const size_t count = lens.size();
  std::vector<std::vector<float>> init, grads;
  for (int64_t n : lens) {
    init.push_back(random_vec(size_t(n)));
    grads.push_back(random_vec(size_t(n)));
  }
  auto run = [&](bool many, int threads, bool adam) {
    set_num_threads(threads);
    std::vector<std::vector<float>> p = init, m, v;
    for (int64_t n : lens) {
      m.emplace_back(size_t(n), 0.0f);
      v.emplace_back(size_t(n), 0.0f);
    }
    std::vector<float*> pp, mp, vp;
    std::vector<const float*> gp;
    for (size_t i = 0; i < count; ++i) {
      pp.push_back(p[i].data());
      mp.push_back(m[i].data());
      vp.push_back(v[i].data());
      gp.push_back(grads[i].data());
    }
    for (int64_t step = 1; step <= 2; ++step) {
      const SgdParams sp{0.1f, 0.9f, 0.0f, 0.01f, true, step};
      const AdamParams ap{0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, true, step};
      if (many && adam) adam_update_many(ap, int64_t(count), lens.data(), pp.data(), gp.data(), mp.data(), vp.data(), nullptr);
      if (many && !adam) sgd_update_many(sp, int64_t(count), lens.data(), pp.data(), gp.data(), mp.data());
      for (size_t i = 0; i < count && !many; ++i) {
        if (adam) adam_update(ap, lens[i], pp[i], gp[i], mp[i], vp[i], nullptr);
        else sgd_update(sp, lens[i], pp[i], gp[i], mp[i]);
      }
    }
    std::vector<float> all;
    for (size_t i = 0; i < count; ++i) {
      all.insert(all.end(), p[i].begin(), p[i].end());
      all.insert(all.end(), m[i].begin(), m[i].end());
    }
    return all;
  };
  for (bool adam : {false, true}) {
    const std::vector<float> single = run(false, 1, adam);
    for (int threads : {1, 2}) {
      const std::vector<float> many = run(true, threads, adam);
      check(many.size() == single.size() &&
                std::memcmp(many.data(), single.data(), single.size() * sizeof(float)) == 0,
            adam ? "adam_update_many" : "sgd_update_many",
            "same bits as one call per tensor at " + std::to_string(threads) + " thread(s)");
    }
    check(single[2] != init[0][2], adam ? "adam_update_many" : "sgd_update_many", "the update moved the parameters");
  }
}

}  // namespace

void eltwise_tests(const std::string& tag) { test_eltwise(tag); }

void optimizer_list_tests() { test_optimizer_lists(); }
