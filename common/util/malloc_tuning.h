#pragma once
// glibc malloc settings for zonepipe's long-running programs. By default glibc
// gives freed memory back to the kernel eagerly (trimming arenas with
// madvise/munmap once 128 KiB are free at the top, and mmap-ing every block
// over 128 KiB-32 MiB, adjusted dynamically). A server that builds and frees
// 25 kB bodies and large Cap'n Proto messages per request then spends much of
// its time in page faults and TLB shootdowns: on this project's 2-core VM the
// API answered 4,100 zone reads/s that way and 10,000/s with the settings
// below (bench/README.md). The cost: up to `trim` bytes of freed memory stay
// with each arena instead of going back to the kernel.

namespace zp {

// Call once at the start of main, before threads start. Never fails (glibc
// ignores values it does not take); GLIBC_TUNABLES set by an operator still wins
// where mallopt leaves a setting alone.
void tuneMalloc();

}  // namespace zp
