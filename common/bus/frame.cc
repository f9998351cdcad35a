#include "common/bus/frame.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace zp::bus {

capnp::ReaderOptions readerOptions() {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = 1u << 20;  // 8 MiB
  options.nestingLimit = 32;
  return options;
}

zmq::message_t toFrame(capnp::MessageBuilder& builder) {
  kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
  kj::ArrayPtr<const kj::byte> bytes = words.asBytes();
  return zmq::message_t(bytes.begin(), bytes.size());
}

Decoded::Decoded(const zmq::message_t& frame) {
  if (frame.size() == 0 || frame.size() % sizeof(capnp::word) != 0) {
    throw std::runtime_error("malformed frame: size is not a whole number of capnp words");
  }
  words_ = kj::heapArray<capnp::word>(frame.size() / sizeof(capnp::word));
  std::memcpy(words_.asBytes().begin(), frame.data(), frame.size());
  // The traversal limit guards against amplification (a small frame whose
  // pointers make the reader visit far more words); it grows with the frame
  // itself, so a legitimately large message (a zone snapshot) always decodes.
  capnp::ReaderOptions options = readerOptions();
  options.traversalLimitInWords =
      std::max<uint64_t>(options.traversalLimitInWords, uint64_t{4} * words_.size());
  reader_ = std::make_unique<capnp::FlatArrayMessageReader>(words_.asPtr(), options);
}

bool receive(zmq::socket_t& socket, Multipart& out, bool dontwait) {
  out.envelope.clear();
  std::vector<zmq::message_t> frames;
  const auto flags = dontwait ? zmq::recv_flags::dontwait : zmq::recv_flags::none;
  while (true) {
    zmq::message_t frame;
    auto got = socket.recv(frame, frames.empty() ? flags : zmq::recv_flags::none);
    if (!got) return false;
    const bool more = frame.more();
    frames.push_back(std::move(frame));
    if (!more) break;
  }
  out.payload = std::move(frames.back());
  frames.pop_back();
  out.envelope = std::move(frames);
  return true;
}

bool send(zmq::socket_t& socket, const std::vector<zmq::message_t>& envelope,
          zmq::message_t&& payload, bool dontwait) {
  const auto base = dontwait ? zmq::send_flags::dontwait : zmq::send_flags::none;
  for (size_t i = 0; i < envelope.size(); ++i) {
    zmq::message_t copy(envelope[i].data(), envelope[i].size());
    auto sent = socket.send(copy, base | zmq::send_flags::sndmore);
    if (!sent) return false;  // only the first frame can block; later ones follow atomically
  }
  auto sent = socket.send(payload, base);
  return sent.has_value();
}

}  // namespace zp::bus
