#pragma once
// The store's sockets: a writer loop (ROUTER of validated commands, group
// commit, PUB of committed events) and a query thread (ROUTER of reads).

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <zmq.hpp>

#include "pipelines/store/store.h"
#include "pipelines/store/store_metrics.h"

namespace zp::store {

struct ServerEndpoints {
  std::string commands;  // ROUTER: [envelope..., Command] in, [envelope..., Reply] out
  std::string query;     // ROUTER: [envelope..., Query] in, [envelope..., Reply] out
  std::string events;    // PUB: one frame per committed Event
};

struct ServerOptions {
  int batchMax = 1024;                          // commands per write transaction
  std::chrono::milliseconds pollInterval{200};  // how quickly `stop` is noticed
  StoreMetrics* metrics = nullptr;              // updated when set; must outlive the Server
};

// Binds the three sockets in the constructor (throws std::runtime_error naming
// the endpoint when one cannot be bound). run() serves until `stop` becomes
// true: the query thread answers reads, the calling thread applies commands
// in batches and, only after each batch is durably committed, sends its
// replies and publishes its events. Malformed frames are logged and dropped
// (or answered with an internal error when their request id is readable);
// nothing a peer sends ends the loop. run() throws when a socket or LMDB
// fails (either thread); the caller exits so that it is restarted. The Store
// and context must outlive the Server.
class Server {
 public:
  Server(zmq::context_t& ctx, Store& store, const ServerEndpoints& endpoints,
         ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void run(const std::atomic<bool>& stop);

 private:
  void writerLoop(const std::function<bool()>& stopped);
  void queryLoop(const std::atomic<bool>& stop);
  void writeBatch();

  Store& store_;
  ServerOptions options_;
  zmq::socket_t commands_;
  zmq::socket_t query_;
  zmq::socket_t events_;
};

}  // namespace zp::store
