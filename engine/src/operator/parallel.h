// Intra-op parallelism for hand-written kernels: OpenMP (the runtime oneDNN also uses, so there is
// one thread pool per worker, not two competing ones), with the thread count the scheduler granted
// the op (OpContext::nthreads). Small loops stay serial: forking costs more than it saves.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <mutex>

namespace mixnet::op {

// Below this many elements per thread, elementwise loops do not fork.
constexpr int64_t kParallelGrain = 32768;

// Calls fn(begin, end) over disjoint chunks covering [0, n), using at most nthreads threads and
// at least `grain` items per thread.
template <typename Fn>
void ParallelFor(int64_t n, int nthreads, Fn&& fn, int64_t grain = kParallelGrain) {
  if (n <= 0) return;
  int64_t max_threads = std::max<int64_t>(1, n / std::max<int64_t>(1, grain));
  int t = static_cast<int>(std::min<int64_t>(std::max(1, nthreads), max_threads));
  if (t <= 1) {
    fn(int64_t{0}, n);
    return;
  }
  // An exception escaping an OpenMP region would terminate the process: catch it per thread and
  // re-throw the first one on the calling thread.
  std::exception_ptr error;
  std::mutex error_mu;
#pragma omp parallel num_threads(t)
  {
    int id = omp_get_thread_num();
    int nt = omp_get_num_threads();
    int64_t chunk = (n + nt - 1) / nt;
    int64_t b = std::min<int64_t>(n, chunk * id);
    int64_t e = std::min<int64_t>(n, b + chunk);
    try {
      if (b < e) fn(b, e);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mu);
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace mixnet::op
