// libzonepipe-named-clock.so: preloaded into named (scripts/named-start) so
// that BIND 9.18's timer thread does not spin.
//
// Why: BIND 9.18 reads the time with CLOCK_REALTIME_COARSE (lib/isc/time.c,
// isc_time_now) but its timer thread sleeps with pthread_cond_timedwait on
// CLOCK_REALTIME (lib/isc/timer.c, run()). The coarse clock advances only on
// a kernel tick (4 ms here), and on a busy virtual machine the tick arrives
// late: measured on the development VM, the coarse clock lagged by more than
// 6 ms. Until it catches up, every timer that is due wakes the thread, which
// finds it "not yet due" by the coarse clock, waits until a deadline that has
// already passed, and loops: 3,702 such wake-ups in 2 s of a burst of new
// zones, 2.3 s of CPU for 1,000 zones, and a quarter of the machine's CPU
// while records are written (perf, strace; bench/README.md).
//
// What: clock_gettime() for CLOCK_REALTIME_COARSE and CLOCK_MONOTONIC_COARSE
// answers with CLOCK_REALTIME and CLOCK_MONOTONIC; every other clock is
// passed through. The precise clocks are read through the vDSO (no system
// call with kvm-clock or tsc), and only the precision named sees changes.
//
// Threads: any; the only state is libc's clock_gettime, looked up on first
// use (threads racing there store the same pointer, atomically).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <time.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec*);

int clock_gettime(clockid_t clock, struct timespec* ts) {
  static clock_gettime_fn resolved;
  clock_gettime_fn next = __atomic_load_n(&resolved, __ATOMIC_ACQUIRE);
  if (next == NULL) {
    next = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
    if (next == NULL) {
      errno = ENOSYS;
      return -1;
    }
    __atomic_store_n(&resolved, next, __ATOMIC_RELEASE);
  }
  if (clock == CLOCK_REALTIME_COARSE) {
    clock = CLOCK_REALTIME;
  } else if (clock == CLOCK_MONOTONIC_COARSE) {
    clock = CLOCK_MONOTONIC;
  }
  return next(clock, ts);
}
