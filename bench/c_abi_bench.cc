// Foundation benchmarks through the public C ABI (what every binding pays):
//   dispatch: ns per 1-element broadcast_add over 1e5 ops, output allocated and freed each time,
//             final wait included;
//   sgemm:    GFLOP/s of `dot` on float32 n x n matrices, n = 256, 1024, 2048.
// Prints one JSON object; bench/foundation.py runs it next to NumPy and prints the ratios.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "mixnet/c_api.h"

namespace {

void Check(int rc) {
  if (rc != 0) throw std::runtime_error(MXGetLastError());
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

NDArrayHandle Filled(std::vector<dim_t> shape, float value) {
  NDArrayHandle h;
  Check(MXNDArrayCreate64(shape.data(), static_cast<int>(shape.size()), MX_CPU, 0, MX_FLOAT32, &h));
  size_t n = 1;
  for (dim_t d : shape) n *= static_cast<size_t>(d);
  std::vector<float> data(n, value);
  Check(MXNDArraySyncCopyFromCPU(h, data.data(), n));
  return h;
}

double DispatchNs(int ops, int repeats) {
  OpHandle add;
  Check(NNGetOpHandle("broadcast_add", &add));
  NDArrayHandle in[2] = {Filled({1}, 1.f), Filled({1}, 2.f)};
  std::vector<double> runs;
  for (int r = 0; r < repeats; ++r) {
    double t0 = Now();
    for (int i = 0; i < ops; ++i) {
      int n_out = 0;
      NDArrayHandle* out = nullptr;
      Check(MXImperativeInvoke(add, 2, in, &n_out, &out, 0, nullptr, nullptr));
      Check(MXNDArrayFree(out[0]));
    }
    Check(MXNDArrayWaitAll());
    runs.push_back((Now() - t0) / ops * 1e9);
  }
  Check(MXNDArrayFree(in[0]));
  Check(MXNDArrayFree(in[1]));
  return Median(runs);
}

double SgemmGflops(dim_t n, int repeats) {
  OpHandle dot;
  Check(NNGetOpHandle("dot", &dot));
  NDArrayHandle in[2] = {Filled({n, n}, 0.5f), Filled({n, n}, 0.25f)};
  NDArrayHandle out_h = Filled({n, n}, 0.f);
  auto run = [&] {
    int n_out = 1;
    NDArrayHandle* out = &out_h;
    Check(MXImperativeInvoke(dot, 2, in, &n_out, &out, 0, nullptr, nullptr));
    Check(MXNDArrayWaitToRead(out_h));
  };
  run();  // warm-up: first-touch pages, BLAS thread start
  std::vector<double> runs;
  for (int r = 0; r < repeats; ++r) {
    double t0 = Now();
    run();
    runs.push_back(2.0 * n * n * n / (Now() - t0) / 1e9);
  }
  for (NDArrayHandle h : {in[0], in[1], out_h}) Check(MXNDArrayFree(h));
  return Median(runs);
}

}  // namespace

int main() {
  try {
    int workers = 0, threads = 0;
    Check(MXEngineGetInfo(&workers, &threads));
    double dispatch = DispatchNs(100000, 7);
    std::printf("{\"workers\": %d, \"threads\": %d, \"dispatch_ns\": %.1f", workers, threads,
                dispatch);
    for (dim_t n : {256, 1024, 2048}) {
      int repeats = n >= 2048 ? 5 : (n >= 1024 ? 9 : 31);
      std::printf(", \"sgemm_%lld\": %.2f", static_cast<long long>(n), SgemmGflops(n, repeats));
    }
    std::printf("}\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench failed: %s\n", e.what());
    return 1;
  }
  return 0;
}
