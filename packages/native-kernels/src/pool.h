// A small fork-join pool: the calling (JS) thread runs tasks too, workers spin
// briefly between jobs because tfjs issues kernels back to back.
#pragma once
#include <functional>

namespace nk {

int pool_threads();
void pool_set_threads(int n);
// Runs fn(i) for i in [0, ntasks), spread over the pool; returns when all ran.
void parallel_for(int ntasks, const std::function<void(int)>& fn);
// Index of the executing thread in [0, pool_threads()) during parallel_for.
int thread_index();

}  // namespace nk
