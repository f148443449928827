// Engine selection: the process-wide engine (MIXNET_ENGINE_TYPE) and private instances.
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <string>
#include <thread>

#include <pthread.h>

#include "common/error.h"
#include "engine/engine.h"
#include "engine/naive_engine.h"
#include "engine/thread_budget.h"
#include "engine/threaded_engine.h"

namespace mixnet::engine {

namespace {

int NumCores() { return std::max(1u, std::thread::hardware_concurrency()); }

// An integer >= min_value (1 or 0) from the environment, or `fallback` when unset/empty.
int64_t EnvCount(const char* name, int64_t fallback, int64_t min_value = 1) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  const std::string_view s(text);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  MX_CHECK(ec == std::errc() && end == s.data() + s.size() && value >= min_value &&
               value <= std::numeric_limits<int>::max(),
           ValueError)
      << name << "='" << s << "' is not a " << (min_value > 0 ? "positive" : "non-negative")
      << " integer";
  return value;
}

// How many ops may be pending before a pushing thread waits (ThreadedEngine::Throttle) until half
// of them have run. The default leaves room for many queued steps, so that a host thread that
// must not block (Node's event loop) keeps going while large ops run; it only bounds memory.
// A shallower queue is faster where the pushing thread may block: outputs are allocated at push
// time from LIFO free lists, so the block an op gets was freed about `pending` ops before it runs,
// and with a deep queue it has left the caches. LeNet training, batch 128, 2 cores (Python,
// img/s, medians of 5): 8,700 at 512, 9,100 at 64, 9,600 at 32, 9,600 at 16; peak RSS 303 MB at
// 512, 118 MB at 32. The Python package therefore sets 16 unless the user set a value.
// MIXNET_ENGINE_MAX_PENDING overrides it; 0 means no bound.
constexpr int64_t kDefaultMaxPending = 512;

// At exit: wait for pending ops (unless they are stuck), then stop the workers. The engine object
// itself is never destroyed, so NDArrays destroyed after this still free their memory (their ops
// then run on the destroying thread).
ThreadedEngine* g_threaded_engine = nullptr;
void ShutdownProcessEngine() { g_threaded_engine->Shutdown(std::chrono::seconds(10)); }
std::atomic<int> g_drain_refreshes{0};
void BeforeFork() { g_threaded_engine->BeforeFork(); }
void AfterFork() { g_threaded_engine->AfterFork(); }

}  // namespace

std::unique_ptr<Engine> CreateEngine(std::string_view type, int num_workers, int num_threads,
                                     int64_t max_pending) {
  if (num_threads <= 0) num_threads = static_cast<int>(EnvCount("MIXNET_NUM_THREADS", NumCores()));
  // "ThreadedEnginePerDevice" is Apache MXNet's default name; accept it so old settings work.
  if (type == "ThreadedEngine" || type == "ThreadedEnginePerDevice") {
    if (num_workers <= 0) {
      // Every op is told all num_threads unless the budget is shared (thread_budget.h), so two
      // ops running at once would put twice the cores' threads on them: one worker then, as
      // Apache MXNet's CPU default; with a shared budget, one per core. LeNet training, 2 cores:
      // 8,100-8,300 img/s with one worker, 7,000 with two.
      const int fallback = ThreadBudget::SharedFromEnv() ? NumCores() : 1;
      num_workers = static_cast<int>(EnvCount("MIXNET_CPU_WORKER_NTHREADS", fallback));
    }
    if (max_pending < 0) {
      max_pending = EnvCount("MIXNET_ENGINE_MAX_PENDING", kDefaultMaxPending, /*min_value=*/0);
    }
    return std::make_unique<ThreadedEngine>(num_workers, num_threads, max_pending);
  }
  if (type == "NaiveEngine") return std::make_unique<NaiveEngine>(num_threads);
  MX_THROW(ValueError) << "MIXNET_ENGINE_TYPE='" << type
                       << "' is not an engine type (expected ThreadedEngine or NaiveEngine)";
}

void DrainForExit() {
  if (g_threaded_engine != nullptr) ShutdownProcessEngine();
}

void RefreshExitDrain() {
  // Each registration costs a small allocation; the libraries create their state in their first
  // calls, so a bounded number of refreshes covers it.
  constexpr int kMaxRefreshes = 256;
  if (g_threaded_engine == nullptr) return;
  if (g_drain_refreshes.fetch_add(1, std::memory_order_relaxed) < kMaxRefreshes) {
    std::atexit(ShutdownProcessEngine);
  }
}

Engine* Engine::Get() {
  // Created on first use; if creation throws (bad environment), the next call tries again and
  // reports the same error.
  static Engine* const engine = [] {
    const char* type = std::getenv("MIXNET_ENGINE_TYPE");
    std::unique_ptr<Engine> created =
        CreateEngine(type != nullptr && *type != '\0' ? type : "ThreadedEngine");
    Engine* raw = created.release();  // intentionally never destroyed (see above)
    if (auto* threaded = dynamic_cast<ThreadedEngine*>(raw)) {
      g_threaded_engine = threaded;
      std::atexit(ShutdownProcessEngine);
      // Python's multiprocessing (DataLoader workers) forks: the child needs its own workers.
      pthread_atfork(BeforeFork, AfterFork, AfterFork);
    }
    return raw;
  }();
  return engine;
}

}  // namespace mixnet::engine
