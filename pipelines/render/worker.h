#pragma once
// The renderer's socket loop: SUB to the store's events, DEALER to the store's
// query socket, DEALER to the pusher; a small pool of threads renders zones
// and runs named-checkzone so several zones are checked at once. The
// decisions are Renderer's (renderer.h); this file only moves messages.

#include <atomic>
#include <zmq.hpp>

#include "common/config/config.h"
#include "pipelines/render/partition.h"
#include "pipelines/render/render_metrics.h"

namespace zp::render {

// Runs until `stop` becomes true, then saves the cursor and returns. Throws
// std::runtime_error (or zmq::error_t) when the sockets or the state
// directory cannot be set up, or the cursor cannot be saved.
void runRenderer(zmq::context_t& ctx, const config::Config& cfg, const std::atomic<bool>& stop);
// The same for one of several renderers: renders only the zones `partition`
// owns and keeps its own cursor file (partition.h). The one above is
// instance 0 of `renderer.instances`.
// `metrics`, when given, counts what it does.
void runRenderer(zmq::context_t& ctx, const config::Config& cfg, const Partition& partition,
                 const std::atomic<bool>& stop, RenderMetrics* metrics = nullptr);

}  // namespace zp::render
