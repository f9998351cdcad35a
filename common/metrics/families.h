#pragma once
// Shorthands for registering a family with prometheus-cpp's builders, so each
// stage's metrics file reads as its list of names and help texts.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace zp::metrics {

inline prometheus::Family<prometheus::Counter>& counters(prometheus::Registry& r, const char* name,
                                                         const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

// A gauge without labels.
inline prometheus::Gauge& gauge(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}

}  // namespace zp::metrics
