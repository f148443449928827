// Fused RNN kernel benchmark: one training step (forward in training mode + backward with respect
// to data, parameters and states) of a multi-layer LSTM, called through the op's kernel directly
// (no engine, no autograd tape), float32. Prints one JSON object; bench/rnn.py compares it with
// PyTorch's nn.LSTM on the same sizes and thread count.
//
//   rnn_bench [--mode lstm] [--T 35] [--N 32] [--I 256] [--H 256] [--L 2] [--threads 2]
//             [--runs 15] [--bidirectional 0]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "operator/op.h"

using namespace mixnet;

namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

TBlob Blob(std::vector<float>& buf, const Shape& s) {
  return TBlob{buf.data(), s, DType::kFloat32};
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "lstm";
  int64_t T = 35, N = 32, I = 256, H = 256, L = 2;
  int threads = 2, runs = 15, bidir = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--mode") mode = v;
    else if (k == "--T") T = std::atoll(v);
    else if (k == "--N") N = std::atoll(v);
    else if (k == "--I") I = std::atoll(v);
    else if (k == "--H") H = std::atoll(v);
    else if (k == "--L") L = std::atoll(v);
    else if (k == "--threads") threads = std::atoi(v);
    else if (k == "--runs") runs = std::atoi(v);
    else if (k == "--bidirectional") bidir = std::atoi(v);
  }
  const op::Op* op = op::FindOp("RNN");
  if (op == nullptr) {
    std::fprintf(stderr, "RNN op not registered\n");
    return 1;
  }
  const std::string hs = std::to_string(H), ls = std::to_string(L);
  const std::vector<std::pair<std::string_view, std::string_view>> attrs = {
      {"state_size", hs}, {"num_layers", ls}, {"mode", mode},
      {"bidirectional", bidir ? "True" : "False"}};
  auto param = op->schema->parse(op::AttrList(attrs));

  const bool lstm = mode == "lstm";
  const int64_t D = bidir ? 2 : 1;
  const int64_t G = lstm ? 4 : (mode == "gru" ? 3 : 1);
  int64_t num_params = 0;
  for (int64_t l = 0; l < L; ++l) num_params += D * G * H * ((l == 0 ? I : D * H) + H + 2);
  const Shape data_s{T, N, I}, param_s{num_params}, state_s{L * D, N, H};

  op::InferIO io;
  io.in_shapes = {data_s, param_s, state_s};
  if (lstm) io.in_shapes.push_back(state_s);
  io.in_types.assign(io.in_shapes.size(), DType::kFloat32);
  op->kernel.infer(*param, io);

  std::mt19937 gen(1);
  std::uniform_real_distribution<float> u(-0.1f, 0.1f);
  auto random = [&](const Shape& s) {
    std::vector<float> v(static_cast<size_t>(s.Size()));
    for (float& x : v) x = u(gen);
    return v;
  };
  std::vector<std::vector<float>> in_bufs, out_bufs, grad_bufs, head_bufs;
  for (const Shape& s : io.in_shapes) {
    in_bufs.push_back(random(s));
    grad_bufs.emplace_back(static_cast<size_t>(s.Size()));
  }
  for (const Shape& s : io.out_shapes) out_bufs.emplace_back(static_cast<size_t>(s.Size()));
  head_bufs.push_back(random(io.out_shapes[0]));
  std::vector<TBlob> in, out, grads, heads;
  for (size_t i = 0; i < in_bufs.size(); ++i) {
    in.push_back(Blob(in_bufs[i], io.in_shapes[i]));
    grads.push_back(Blob(grad_bufs[i], io.in_shapes[i]));
  }
  for (size_t i = 0; i < out_bufs.size(); ++i) out.push_back(Blob(out_bufs[i], io.out_shapes[i]));
  heads.push_back(Blob(head_bufs[0], io.out_shapes[0]));

  op::RandomState rng;
  rng.Seed(1);
  std::vector<op::OpReq> out_req(out.size(), op::OpReq::kWriteTo);
  std::vector<op::OpReq> in_req(in.size(), op::OpReq::kWriteTo);
  op::OpContext fctx{.is_train = true, .nthreads = threads, .rng = &rng, .req = out_req,
                     .op_name = "RNN"};
  op::OpContext bctx = fctx;
  bctx.req = in_req;

  using clock = std::chrono::steady_clock;
  std::vector<double> fwd_ms, step_ms;
  for (int r = 0; r < runs + 2; ++r) {  // two warm-up runs
    const auto t0 = clock::now();
    op->kernel.forward(*param, fctx, in, out);
    const auto t1 = clock::now();
    op->kernel.backward(*param, bctx, heads, in, out, grads);
    const auto t2 = clock::now();
    if (r < 2) continue;
    fwd_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    step_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
  }
  std::printf(
      "{\"mode\": \"%s\", \"T\": %lld, \"N\": %lld, \"I\": %lld, \"H\": %lld, \"L\": %lld, "
      "\"bidirectional\": %d, \"threads\": %d, \"forward_ms\": %.3f, \"train_step_ms\": %.3f}\n",
      mode.c_str(), static_cast<long long>(T), static_cast<long long>(N),
      static_cast<long long>(I), static_cast<long long>(H), static_cast<long long>(L), bidir,
      threads, Median(fwd_ms), Median(step_ms));
  return 0;
}
