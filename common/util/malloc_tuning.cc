#include "common/util/malloc_tuning.h"

#include <malloc.h>

namespace zp {

void tuneMalloc() {
  constexpr int kTrimThreshold = 256 << 20;  // keep up to 256 MiB free per arena
  constexpr int kMmapThreshold = 32 << 20;   // blocks below 32 MiB come from the arenas
  mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
}

}  // namespace zp
