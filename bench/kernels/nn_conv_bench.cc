// Convolution kernel benchmark: forward and backward (data, weight and bias gradients) of the
// oneDNN Convolution kernel, called directly (no engine dispatch), for a LeNet-sized pair of
// layers and a ResNet 3x3 block. Prints JSON with median milliseconds per call; bench/nn_conv.py
// runs it next to PyTorch and prints the ratios.
//
//   build/<dir>/bin/nn_conv_bench [--threads 2] [--reps 15]
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "operator/op.h"

using namespace mixnet;

namespace {

struct Case {
  const char* name;
  int64_t n, c, f, h, w, k, pad;
};

struct Buf {
  std::vector<float> v;
  TBlob blob;
  Buf(const Shape& s, float fill) : v(static_cast<size_t>(s.Size()), fill) {
    blob = TBlob{v.data(), s, DType::kFloat32};
  }
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <typename Fn>
double TimeMs(int reps, Fn&& fn) {
  fn();  // warm-up: builds and caches the primitives
  fn();
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return Median(t);
}

std::pair<double, double> Run(const Case& c, int threads, int reps) {
  const op::Op* conv = op::FindOp("Convolution");
  const std::string k = "(" + std::to_string(c.k) + ", " + std::to_string(c.k) + ")";
  const std::string p = "(" + std::to_string(c.pad) + ", " + std::to_string(c.pad) + ")";
  const std::string nf = std::to_string(c.f);
  const std::vector<std::pair<std::string_view, std::string_view>> attrs{
      {"kernel", k}, {"pad", p}, {"num_filter", nf}};
  auto param = conv->schema->parse(op::AttrList(attrs));
  op::InferIO io;
  io.in_shapes = {Shape{c.n, c.c, c.h, c.w}, Shape{c.f, c.c, c.k, c.k}, Shape{c.f}};
  io.in_types = {DType::kFloat32, DType::kFloat32, DType::kFloat32};
  conv->kernel.infer(*param, io);
  Buf x(io.in_shapes[0], 0.5f), wt(io.in_shapes[1], 0.01f), b(io.in_shapes[2], 0.1f);
  Buf y(io.out_shapes[0], 0.f), gy(io.out_shapes[0], 1.f);
  Buf gx(io.in_shapes[0], 0.f), gw(io.in_shapes[1], 0.f), gb(io.in_shapes[2], 0.f);
  std::vector<op::OpReq> req1{op::OpReq::kWriteTo}, req3(3, op::OpReq::kWriteTo);
  op::OpContext fctx{.is_train = true, .nthreads = threads, .req = req1, .op_name = "Convolution"};
  op::OpContext bctx{.is_train = true, .nthreads = threads, .req = req3, .op_name = "Convolution"};
  std::vector<TBlob> in{x.blob, wt.blob, b.blob}, out{y.blob}, og{gy.blob},
      ig{gx.blob, gw.blob, gb.blob};
  const double fwd = TimeMs(reps, [&] { conv->kernel.forward(*param, fctx, in, out); });
  const double bwd = TimeMs(reps, [&] { conv->kernel.backward(*param, bctx, og, in, out, ig); });
  return {fwd, bwd};
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2, reps = 15;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
  }
  const Case cases[] = {
      {"lenet_conv1", 64, 1, 20, 28, 28, 5, 0},
      {"lenet_conv2", 64, 20, 50, 12, 12, 5, 0},
      {"resnet_3x3", 32, 64, 64, 56, 56, 3, 1},
  };
  std::printf("{\"threads\": %d, \"reps\": %d, \"cases\": {", threads, reps);
  bool first = true;
  for (const Case& c : cases) {
    const auto [fwd, bwd] = Run(c, threads, reps);
    std::printf("%s\"%s\": {\"fwd_ms\": %.3f, \"bwd_ms\": %.3f}", first ? "" : ", ", c.name, fwd, bwd);
    std::fflush(stdout);
    first = false;
  }
  std::printf("}}\n");
  return 0;
}
