#pragma once
// Cap'n Proto messages in ZeroMQ frames. A frame is one flat-array message.
// Received frames are copied into word-aligned storage before decoding
// (libzmq hands out unaligned buffers over tcp:// and ipc://).

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <memory>
#include <vector>
#include <zmq.hpp>

namespace zp::bus {

// Limits for decoding frames from peers: nesting 32, and a traversal limit of
// 8 MiB or four times the frame's size, whichever is larger.
capnp::ReaderOptions readerOptions();

// Serialises a builder into one zmq frame.
zmq::message_t toFrame(capnp::MessageBuilder& builder);

// An owning decoded frame: keeps the aligned copy alive as long as the reader.
// Throws std::runtime_error (via kj) when the frame is not a valid message.
class Decoded {
 public:
  explicit Decoded(const zmq::message_t& frame);
  template <typename T>
  typename T::Reader root() {
    return reader_->getRoot<T>();
  }

 private:
  kj::Array<capnp::word> words_;
  std::unique_ptr<capnp::FlatArrayMessageReader> reader_;
};

// A multipart message as received: routing envelope frames, then the payload.
struct Multipart {
  std::vector<zmq::message_t> envelope;  // ROUTER identities, outermost first
  zmq::message_t payload;
};

// Receives every frame of one message (non-blocking when `dontwait`).
// Returns false when nothing was waiting.
bool receive(zmq::socket_t& socket, Multipart& out, bool dontwait = true);

// Sends envelope frames (copied) then the payload. Returns false when the
// socket would block (HWM reached or no peer with `immediate`).
bool send(zmq::socket_t& socket, const std::vector<zmq::message_t>& envelope,
          zmq::message_t&& payload, bool dontwait = true);

}  // namespace zp::bus
