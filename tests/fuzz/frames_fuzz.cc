// Fuzz target: the Cap'n Proto frame decoding every worker does on what a
// peer sends (common/bus/frame.h). Input: byte 0 picks the message type a
// socket carries (Command: validator and store; Query: store; Event and
// Reply: renderer and API; Deploy and StatusQuery: pusher; DeployAck:
// renderer; StatusReply: API), the rest is the frame. A malformed frame must
// be an exception the worker logs and drops, never a crash: decode it as the
// worker does, read every field (capnp reflection, as a worker's getters
// would), and run the validator's translate() on Commands and the codec's
// conversions on the structs the workers convert.

#include <capnp/dynamic.h>
#include <capnp/schema.h>

#include <cstdint>
#include <zmq.hpp>

#include "common/bus/frame.h"
#include "common/schema/codec.h"
#include "pipelines/validate/validator.h"
#include "schema/pipeline.capnp.h"

namespace {

using namespace zp;

// Reads every field of `value` (recursively), as getters would.
void walk(const capnp::DynamicValue::Reader& value, int depth) {
  if (depth > 40) return;
  switch (value.getType()) {
    case capnp::DynamicValue::STRUCT: {
      auto s = value.as<capnp::DynamicStruct>();
      for (auto field : s.getSchema().getFields()) {
        if (s.has(field)) walk(s.get(field), depth + 1);
      }
      break;
    }
    case capnp::DynamicValue::LIST: {
      auto list = value.as<capnp::DynamicList>();
      for (unsigned i = 0; i < list.size() && i < 10000; ++i) walk(list[i], depth + 1);
      break;
    }
    case capnp::DynamicValue::TEXT:
      (void)value.as<capnp::Text>().size();
      break;
    case capnp::DynamicValue::DATA:
      (void)value.as<capnp::Data>().size();
      break;
    default:
      break;
  }
}

template <typename T>
typename T::Reader decodeAndWalk(bus::Decoded& decoded) {
  auto root = decoded.root<T>();
  walk(capnp::toDynamic(root), 0);
  return root;
}

void command(bus::Decoded& d) {
  auto c = decodeAndWalk<schema::Command>(d);
  capnp::MallocMessageBuilder out;
  validate::ValidatorOptions options;
  (void)validate::translate(c, out.initRoot<schema::Command>(), options);
  auto body = c.getBody();
  if (body.isCreateRecord()) (void)schema::fromSchema(body.getCreateRecord().getInput());
  if (body.isCreateRecordValid()) (void)schema::fromSchema(body.getCreateRecordValid().getRecord());
  if (c.hasScope()) (void)schema::fromSchema(c.getScope());
}

void reply(bus::Decoded& d) {
  auto r = decodeAndWalk<schema::Reply>(d);
  auto body = r.getBody();
  if (body.isError()) (void)schema::fromSchema(body.getError());
  if (body.isRecord()) (void)schema::fromSchema(body.getRecord());
  if (body.isZone()) {
    (void)schema::fromSchema(body.getZone().getZone());
    for (auto rec : body.getZone().getRecords()) (void)schema::fromSchema(rec);
  }
}

void event(bus::Decoded& d) {
  auto change = decodeAndWalk<schema::Event>(d).getChange();
  if (change.isZoneCreated()) (void)schema::fromSchema(change.getZoneCreated());
  if (change.isRecordCreated()) (void)schema::fromSchema(change.getRecordCreated());
  if (change.isRecordDeleted()) (void)schema::fromSchema(change.getRecordDeleted());
  if (change.isRecordUpdated()) {
    (void)schema::fromSchema(change.getRecordUpdated().getBefore());
    (void)schema::fromSchema(change.getRecordUpdated().getAfter());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const zmq::message_t frame(data + 1, size - 1);
  try {
    bus::Decoded decoded(frame);
    switch (data[0] % 8) {
      case 0:
        command(decoded);
        break;
      case 1:
        decodeAndWalk<schema::Query>(decoded);
        break;
      case 2:
        event(decoded);
        break;
      case 3:
        reply(decoded);
        break;
      case 4:
        decodeAndWalk<schema::Deploy>(decoded);
        break;
      case 5:
        decodeAndWalk<schema::DeployAck>(decoded);
        break;
      case 6:
        decodeAndWalk<schema::StatusQuery>(decoded);
        break;
      default:
        decodeAndWalk<schema::StatusReply>(decoded);
        break;
    }
  } catch (const std::exception&) {
    // What every worker does: log and drop the frame.
  }
  return 0;
}
