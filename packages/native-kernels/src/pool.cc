#include "pool.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define NK_PAUSE() _mm_pause()
#else
#define NK_PAUSE() ((void)0)
#endif

namespace nk {
namespace {

thread_local int t_index = 0;
// True on a thread while it runs pool tasks: a nested parallel_for runs inline.
thread_local bool t_in_task = false;

struct Pool {
  std::vector<std::thread> workers;
  std::mutex mu;
  std::mutex run_mu;
  std::condition_variable cv;
  // Job slot, written under mu together with `generation`.
  const std::function<void(int)>* job = nullptr;
  int ntasks = 0;
  std::atomic<unsigned> generation{0};
  // (generation << 32) | next task: a worker that wakes late for an old job
  // cannot claim a task of the next one.
  std::atomic<uint64_t> counter{0};
  std::atomic<int> done{0};
  std::atomic<bool> stop{false};
  int nthreads = 1;
  std::chrono::microseconds spin_budget{2000};

  void run_tasks(const std::function<void(int)>& fn, int n, unsigned gen) {
    t_in_task = true;
    struct Reset {
      ~Reset() { t_in_task = false; }
    } reset;
    uint64_t v = counter.load(std::memory_order_acquire);
    for (;;) {
      if ((unsigned)(v >> 32) != gen) return;
      int i = (int)(uint32_t)v;
      if (i >= n) return;
      if (!counter.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel)) continue;
      fn(i);
      done.fetch_add(1, std::memory_order_release);
      v = counter.load(std::memory_order_acquire);
    }
  }

  void worker(int index) {
    t_index = index;
    unsigned seen = 0;
    for (;;) {
      // Spin before sleeping: tfjs issues kernels with gaps of 10-100 us of
      // JS in between, and waking a sleeping thread costs ~50 us in a VM.
      const auto spin_until = std::chrono::steady_clock::now() + spin_budget;
      int spins = 0;
      while (generation.load(std::memory_order_acquire) == seen && !stop.load(std::memory_order_relaxed)) {
        if ((++spins & 63) != 0 || std::chrono::steady_clock::now() < spin_until) {
          NK_PAUSE();
        } else {
          std::unique_lock<std::mutex> lock(mu);
          cv.wait(lock, [&] { return generation.load(std::memory_order_acquire) != seen || stop.load(); });
        }
      }
      if (stop.load()) return;
      const std::function<void(int)>* fn;
      int n;
      {
        std::lock_guard<std::mutex> lock(mu);
        seen = generation.load(std::memory_order_relaxed);
        fn = job;
        n = ntasks;
      }
      if (fn) run_tasks(*fn, n, seen);
    }
  }

  void start(int n) {
    shutdown();
    nthreads = n < 1 ? 1 : n;
    stop = false;
    for (int i = 1; i < nthreads; i++) workers.emplace_back([this, i] { worker(i); });
  }

  void shutdown() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    cv.notify_all();
    for (auto& t : workers) t.join();
    workers.clear();
  }

  void run(int n, const std::function<void(int)>& fn) {
    if (n <= 0) return;
    if (nthreads == 1 || n == 1 || t_in_task) {
      for (int i = 0; i < n; i++) fn(i);
      return;
    }
    // One job at a time: JS threads (worker_threads) sharing the addon queue here.
    std::lock_guard<std::mutex> one_job(run_mu);
    unsigned gen;
    {
      std::lock_guard<std::mutex> lock(mu);
      gen = generation.load(std::memory_order_relaxed) + 1;
      job = &fn;
      ntasks = n;
      done.store(0, std::memory_order_relaxed);
      counter.store((uint64_t)gen << 32, std::memory_order_release);
      generation.store(gen, std::memory_order_release);
    }
    cv.notify_all();
    run_tasks(fn, n, gen);
    while (done.load(std::memory_order_acquire) < n) NK_PAUSE();
    std::lock_guard<std::mutex> lock(mu);
    job = nullptr;
  }

  ~Pool() { shutdown(); }
};

Pool& pool() {
  static Pool* p = [] {
    auto* q = new Pool();
    unsigned hc = std::thread::hardware_concurrency();
    q->start(hc == 0 ? 1 : (int)hc);
    return q;
  }();
  return *p;
}

}  // namespace

int pool_threads() { return pool().nthreads; }

void pool_set_threads(int n) {
  Pool& p = pool();
  if (n != p.nthreads) p.start(n);
}

void parallel_for(int ntasks, const std::function<void(int)>& fn) { pool().run(ntasks, fn); }

int thread_index() { return t_index; }

}  // namespace nk
