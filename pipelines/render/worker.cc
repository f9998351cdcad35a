#include "pipelines/render/worker.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include <cerrno>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "common/bus/frame.h"
#include "common/bus/socket.h"
#include "common/dns/serial.h"
#include "common/dns/zone_text.h"
#include "common/log/context.h"
#include "common/schema/codec.h"
#include "pipelines/render/checkzone.h"
#include "pipelines/render/cursor_file.h"
#include "pipelines/render/renderer.h"
#include "pipelines/render/snapshot_pager.h"

namespace zp::render {
namespace {

constexpr int64_t kCursorSaveMs = 50;

Now now() {
  using namespace std::chrono;
  return {duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count(),
          duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()};
}

// A finished RenderJob.
struct Checked {
  std::string domain;
  uint64_t serial = 0;
  CheckVerdict verdict = CheckVerdict::kFailed;
  std::string text;
  bool checked = true;  // named-checkzone ran (not an unsampled audit)
};

// Threads that render and check zones. Owned by the loop; results are
// collected with takeDone() after a wake-up frame arrives on the PULL socket
// bound at `wakeEndpoint` (each thread has its own PUSH socket). Stops and
// joins its threads on destruction (waiting for checks that are running).
class CheckPool {
 public:
  CheckPool(zmq::context_t& ctx, std::string wakeEndpoint, const ZoneChecker& checker,
            dns::ZoneFileSettings settings, size_t threads, int nice)
      : ctx_(ctx),
        wakeEndpoint_(std::move(wakeEndpoint)),
        checker_(checker),
        settings_(std::move(settings)),
        nice_(nice) {
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
  }
  CheckPool(const CheckPool&) = delete;
  CheckPool& operator=(const CheckPool&) = delete;
  ~CheckPool() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

  void submit(RenderJob job) {
    {
      std::lock_guard lock(mu_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
  }

  std::vector<Checked> takeDone() {
    std::lock_guard lock(mu_);
    std::vector<Checked> out = std::move(done_);
    done_.clear();
    return out;
  }

 private:
  void run() {
    // Renders and named-checkzone runs yield the CPU to the store and the API:
    // under a write burst they fall behind and coalesce more, instead of
    // slowing the acknowledged writes. Linux keeps the nice value per thread,
    // and the processes this thread starts inherit it.
    if (nice_ > 0 &&
        ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), nice_) != 0) {
      spdlog::warn("could not lower the render threads' CPU priority: {}", std::strerror(errno));
    }
    zmq::socket_t wake(ctx_, zmq::socket_type::push);
    wake.set(zmq::sockopt::linger, 0);
    wake.connect(wakeEndpoint_);
    while (true) {
      RenderJob job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (stopping_) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      Checked result{job.domain, job.serial, CheckVerdict::kFailed, {}, job.check};
      try {
        std::string text = dns::renderZoneFile(job.snapshot, settings_);
        CheckResult check{CheckVerdict::kAccepted, {}};
        if (job.check) check = checker_.check(job.domain, text);
        result.verdict = check.verdict;
        result.text = check.verdict == CheckVerdict::kAccepted ? std::move(text) : check.message;
      } catch (const std::invalid_argument& e) {
        result.verdict = CheckVerdict::kRefused;  // the snapshot breaks the rules: cannot render it
        result.text = std::string("cannot render it: ") + e.what();
      } catch (const std::exception& e) {
        result.text = e.what();
      }
      {
        std::lock_guard lock(mu_);
        done_.push_back(std::move(result));
      }
      zmq::message_t ping;
      (void)wake.send(ping, zmq::send_flags::dontwait);  // a full pipe means a wake-up is pending
    }
  }

  zmq::context_t& ctx_;
  std::string wakeEndpoint_;
  const ZoneChecker& checker_;
  dns::ZoneFileSettings settings_;
  int nice_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<RenderJob> jobs_;
  std::vector<Checked> done_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

zmq::message_t logQuery(const LogRequest& request) {
  capnp::MallocMessageBuilder message;
  auto query = message.initRoot<schema::Query>();
  query.setVersion(schema::PROTOCOL_VERSION);
  query.setRequestId(request.requestId);
  auto body = query.getBody().initLogSince();
  body.setAfter(request.after);
  body.setLimit(request.limit);
  return bus::toFrame(message);
}

zmq::message_t allZonesQuery(uint64_t requestId, const std::string& after, uint32_t limit) {
  capnp::MallocMessageBuilder message;
  auto query = message.initRoot<schema::Query>();
  query.setVersion(schema::PROTOCOL_VERSION);
  query.setRequestId(requestId);
  auto body = query.getBody().initAllZones();
  body.setAfter(after);
  body.setLimit(limit);
  return bus::toFrame(message);
}

// Audit rounds: every `intervalMs` (and once soon after start), walk every
// zone in the store and hand them to the renderer a few at a time, so drift
// between named and the store is found and repaired without whole-zone work
// on the change path. named-checkzone runs on a sample: each zone once every
// kCheckEvery rounds (by a hash of its name, shifted each round), since a
// process start (~45 ms) per zone held a round to about 17 zones a second,
// and a round after a host reboot (named's tmpfs state gone) is what adds
// every zone back. An unchecked audit is still checked by named itself:
// it loads a zone it lacks whole (and refuses a broken one), and repairs a
// zone it serves by UPDATE, record by record. Owned by the loop.
class AuditRounds {
 public:
  static constexpr uint64_t kRequestBit = uint64_t{1} << 62;  // apart from the renderer's ids
  static constexpr uint32_t kPage = 1000;
  static constexpr size_t kAtOnce = 16;  // audits in flight while nothing else is
  static constexpr uint64_t kCheckEvery = 16;

  AuditRounds(int64_t intervalMs, int64_t nowMs)
      : intervalMs_(intervalMs), nextRoundAt_(nowMs + std::min<int64_t>(intervalMs, 2000)) {}

  // A page query to send now, if any.
  std::optional<zmq::message_t> poll(int64_t nowMs) {
    if (intervalMs_ <= 0) return std::nullopt;
    if (listing_ && nowMs - sentAt_ < 5000) return std::nullopt;
    if (!listing_ && (!queue_.empty() || nowMs < nextRoundAt_)) return std::nullopt;
    if (!listing_) {
      after_.clear();
      ++round_;
    }
    listing_ = true;
    sentAt_ = nowMs;
    requestId_ = kRequestBit | ++counter_;
    return allZonesQuery(requestId_, after_, kPage);
  }
  bool owns(uint64_t requestId) const { return (requestId & kRequestBit) != 0; }
  void onReply(uint64_t requestId, schema::Reply::Reader reply, int64_t nowMs) {
    if (!listing_ || requestId != requestId_) return;
    if (!reply.getBody().isZones()) {
      listing_ = false;
      nextRoundAt_ = nowMs + 1000;
      return;
    }
    auto items = reply.getBody().getZones().getItems();
    for (auto z : items) queue_.emplace_back(z.getDomain());
    if (items.size() == kPage) {
      after_ = queue_.back();
      sentAt_ = 0;  // ask for the next page at once
    } else {
      listing_ = false;
      nextRoundAt_ = nowMs + intervalMs_;
    }
  }
  // Hands zones to the renderer while it has room.
  void feed(Renderer& renderer, Now now) {
    while (!queue_.empty() && renderer.inFlight() < kAtOnce) {
      const std::string& domain = queue_.front();
      renderer.audit(domain, now, (std::hash<std::string>{}(domain) + round_) % kCheckEvery == 0);
      queue_.pop_front();
    }
  }

 private:
  int64_t intervalMs_;
  int64_t nextRoundAt_;
  bool listing_ = false;
  int64_t sentAt_ = 0;
  uint64_t requestId_ = 0;
  uint64_t counter_ = 0;
  uint64_t round_ = 0;
  std::string after_;
  std::deque<std::string> queue_;
};

zmq::message_t pageQuery(const PageQuery& page) {
  capnp::MallocMessageBuilder message;
  fillPageQuery(page, message.initRoot<schema::Query>());
  return bus::toFrame(message);
}

// What the renderer needs of an event: record events as zone-file lines.
EventNote noteFrom(schema::Event::Reader event) {
  EventNote note{event.getSeq(), event.getDomain()};
  if (note.domain.empty()) return note;
  note.soaSerial = dns::storedOrDerivedSerial(event.getSoaSerial(), event.getSeq());
  note.setRemaining = event.getSetRemaining();
  auto change = event.getChange();
  try {
    switch (change.which()) {
      case schema::Event::Change::RECORD_CREATED:
        note.changes.push_back(
            {true, dns::recordLine(schema::fromSchema(change.getRecordCreated()), note.domain)});
        break;
      case schema::Event::Change::RECORD_DELETED:
        note.changes.push_back(
            {false, dns::recordLine(schema::fromSchema(change.getRecordDeleted()), note.domain)});
        break;
      case schema::Event::Change::RECORD_UPDATED:
        note.changes.push_back(
            {false, dns::recordLine(schema::fromSchema(change.getRecordUpdated().getBefore()),
                                    note.domain)});
        note.changes.push_back(
            {true, dns::recordLine(schema::fromSchema(change.getRecordUpdated().getAfter()),
                                   note.domain)});
        break;
      case schema::Event::Change::ZONE_CREATED:
        note.created = true;
        return note;
      case schema::Event::Change::ZONE_DELETED:
        note.deleted = true;
        return note;
      default:
        return note;
    }
    note.records = true;
  } catch (const std::invalid_argument& e) {
    // The whole-version path renders and checks the zone, and says why it
    // cannot be deployed in the zone's status.
    spdlog::warn("event {} of {} cannot become a zone-file line ({}); rendering the whole zone",
                 note.seq, note.domain, e.what());
    note.changes.clear();
  }
  return note;
}

// A new zone's file: its skeleton, then the records its first events leave
// (the lines are recordLine's, as in every zone file; a removal takes back an
// earlier addition of the same line).
std::string withRecords(std::string skeleton, const std::optional<std::vector<RrChange>>& ops) {
  if (!ops || ops->empty()) return skeleton;
  std::vector<std::string_view> lines;
  for (const auto& op : *ops) {
    if (op.add) {
      lines.push_back(op.rr);
    } else if (auto it = std::find(lines.begin(), lines.end(), op.rr); it != lines.end()) {
      lines.erase(it);
    }
  }
  for (const auto line : lines) {
    skeleton.append(line);
    skeleton.push_back('\n');
  }
  return skeleton;
}

void setHeader(schema::Deploy::Builder deploy, const DeployOrder& order, uint32_t soa) {
  deploy.setVersion(schema::PROTOCOL_VERSION);
  deploy.setDomain(order.domain);
  deploy.setSerial(order.serial);
  deploy.setCommittedAt(order.committedAt);
  deploy.setAudit(order.audit);
  deploy.setSoaSerial(soa);
}

// A whole version as Deploy.zoneFilePart pieces of at most `pieceBytes`, cut
// after a newline where there is one (issue 8: no message grows with the zone).
std::vector<zmq::message_t> pieceFrames(const DeployOrder& order, uint32_t soa,
                                        std::string_view file, size_t pieceBytes) {
  std::vector<zmq::message_t> frames;
  size_t at = 0;
  uint32_t index = 0;
  while (at < file.size()) {
    size_t end = std::min(file.size(), at + pieceBytes);
    if (end < file.size()) {
      const size_t newline = file.rfind('\n', end - 1);
      if (newline != std::string_view::npos && newline >= at) end = newline + 1;
    }
    capnp::MallocMessageBuilder message;
    auto deploy = message.initRoot<schema::Deploy>();
    setHeader(deploy, order, soa);
    deploy.getBody().setZoneFilePart(capnp::Text::Reader(file.data() + at, end - at));
    deploy.setPart(index++);
    deploy.setLastPart(end == file.size());
    frames.push_back(bus::toFrame(message));
    at = end;
  }
  return frames;
}

// The frames of one deploy: one message, or the pieces of a big whole version.
std::vector<zmq::message_t> deployFrames(const DeployOrder& order,
                                         const dns::ZoneFileSettings& settings, size_t pieceBytes) {
  capnp::MallocMessageBuilder message;
  auto deploy = message.initRoot<schema::Deploy>();
  const uint32_t soa = dns::storedOrDerivedSerial(order.soaSerial, order.serial);
  setHeader(deploy, order, soa);
  if (order.skeleton) {
    dns::ZoneSnapshot skeleton;
    skeleton.zone.domain = order.domain;
    skeleton.zone.serial = order.serial;
    skeleton.zone.soaSerial = soa;
    deploy.getBody().setZoneFile(withRecords(dns::renderZoneFile(skeleton, settings), order.delta));
  } else if (order.zoneFile && order.zoneFile->size() > pieceBytes) {
    return pieceFrames(order, soa, *order.zoneFile, pieceBytes);
  } else if (order.zoneFile) {
    deploy.getBody().setZoneFile(*order.zoneFile);
  } else if (order.delta) {
    auto delta = deploy.getBody().initDelta();
    delta.setSoa(dns::soaLine(order.domain, soa, settings));
    auto ops = delta.initOps(static_cast<unsigned>(order.delta->size()));
    for (unsigned i = 0; i < ops.size(); ++i) {
      ops[i].setAdd((*order.delta)[i].add);
      ops[i].setRr((*order.delta)[i].rr);
    }
  } else {
    deploy.getBody().setRemove();
  }
  std::vector<zmq::message_t> frames;
  frames.push_back(bus::toFrame(message));
  return frames;
}

// A note for the pusher's status: this version was refused and not deployed.
zmq::message_t refusedFrame(const std::string& domain, uint64_t serial, const std::string& why) {
  capnp::MallocMessageBuilder message;
  auto deploy = message.initRoot<schema::Deploy>();
  deploy.setVersion(schema::PROTOCOL_VERSION);
  deploy.setDomain(domain);
  deploy.setSerial(serial);
  deploy.getBody().setRefused(why);
  return bus::toFrame(message);
}

StoreAnswer decodeAnswer(schema::Reply::Reader reply) {
  auto body = reply.getBody();
  switch (body.which()) {
    case schema::Reply::Body::EVENTS: {
      LogPage page;
      page.lastSeq = body.getEvents().getLastSeq();
      for (auto e : body.getEvents().getItems()) page.items.push_back(noteFrom(e));
      return page;
    }
    case schema::Reply::Body::ZONE: {
      dns::ZoneSnapshot snapshot;
      snapshot.zone = schema::fromSchema(body.getZone().getZone());
      for (auto r : body.getZone().getRecords()) snapshot.records.push_back(schema::fromSchema(r));
      return snapshot;
    }
    case schema::Reply::Body::ERROR:
      return schema::fromSchema(body.getError());
    default:
      return Error{ErrorKind::kInternal, "", "the store sent an answer of an unexpected kind"};
  }
}

}  // namespace

void runRenderer(zmq::context_t& ctx, const config::Config& cfg, const std::atomic<bool>& stop) {
  runRenderer(ctx, cfg, Partition(0, cfg.rendererInstances), stop);
}

void runRenderer(zmq::context_t& ctx, const config::Config& cfg, const Partition& partition,
                 const std::atomic<bool>& stop, RenderMetrics* metrics) {
  CursorFile cursorFile(cfg.rendererStateDir, partition.cursorFileName());
  uint64_t saved = cursorFile.load();

  auto events = bus::connectSocket(ctx, zmq::socket_type::sub, cfg.storeEvents);
  events.set(zmq::sockopt::subscribe, "");
  auto store = bus::connectSocket(ctx, zmq::socket_type::dealer, cfg.storeQuery);
  auto pusher = bus::connectSocket(ctx, zmq::socket_type::dealer, cfg.pushEndpoint);
  const std::string wakeEndpoint =
      "inproc://zp-render-wake-" + std::to_string(reinterpret_cast<uintptr_t>(&events));
  zmq::socket_t wake(ctx, zmq::socket_type::pull);
  wake.set(zmq::sockopt::linger, 0);
  wake.bind(wakeEndpoint);

  // Instances may run in separate containers sharing the state directory,
  // where pids repeat: each checks its zone files in a directory of its own.
  std::string checkDir = cfg.rendererStateDir;
  if (partition.instances() > 1) {
    checkDir += "/check-" + std::to_string(partition.instance());
    std::error_code ec;
    std::filesystem::create_directories(checkDir, ec);
    if (ec) throw std::runtime_error("cannot create " + checkDir + ": " + ec.message());
  }
  ZoneChecker checker(cfg.checkzone, checkDir);
  const dns::ZoneFileSettings zoneSettings = dns::settingsFrom(cfg);
  CheckPool pool(ctx, wakeEndpoint, checker, zoneSettings,
                 std::max<size_t>(1, cfg.rendererCheckWorkers), cfg.rendererNice);

  RendererOptions options;
  options.storeEndpoint = cfg.storeQuery;
  options.pushEndpoint = cfg.pushEndpoint;
  options.partition = partition;
  Renderer renderer(saved, options);
  SnapshotPager pager(cfg.rendererSnapshotPage);
  spdlog::info("rendering zones from the store at {} / {} for the pusher at {}; cursor {} in {}",
               cfg.storeEvents, cfg.storeQuery, cfg.pushEndpoint, saved, cursorFile.path());
  renderer.start(now());

  AuditRounds audits(cfg.rendererAuditIntervalMs, now().mono);
  auto execute = [&] {
    if (auto page = audits.poll(now().mono)) {
      if (!bus::send(store, {}, std::move(*page))) spdlog::debug("store query socket is full");
    }
    audits.feed(renderer, now());
    Actions actions = renderer.takeActions();
    for (const auto& r : actions.logRequests) {
      if (!bus::send(store, {}, logQuery(r))) spdlog::debug("store query socket is full");
    }
    for (const auto& r : actions.snapshotRequests) {
      if (!bus::send(store, {}, pageQuery(pager.start(r.requestId, r.domain)))) {
        spdlog::debug("store query socket is full");
      }
    }
    for (auto& job : actions.renders) pool.submit(std::move(job));
    for (const auto& d : actions.deploys) {
      std::vector<zmq::message_t> frames;
      try {
        frames = deployFrames(d, zoneSettings, cfg.rendererDeployPieceBytes);
      } catch (const std::exception& e) {
        spdlog::error("cannot build the deploy of {} serial {}: {}; it will be retried", d.domain,
                      d.serial, e.what());
        continue;
      }
      bool sent = true;
      for (auto& frame : frames) {
        if (!bus::send(pusher, {}, std::move(frame))) {
          spdlog::warn("the pusher at {} is not accepting deploys; {} serial {} will be retried",
                       cfg.pushEndpoint, d.domain, d.serial);
          sent = false;
          break;  // the pusher drops a version with a missing piece; the ack timeout resends
        }
      }
      if (sent && metrics) {
        metrics->deploy(d);
      }
    }
  };

  std::vector<zmq_pollitem_t> items = {{events.handle(), 0, ZMQ_POLLIN, 0},
                                       {store.handle(), 0, ZMQ_POLLIN, 0},
                                       {pusher.handle(), 0, ZMQ_POLLIN, 0},
                                       {wake.handle(), 0, ZMQ_POLLIN, 0}};
  int64_t lastSave = now().mono;
  bus::Multipart in;
  while (!stop.load()) {
    execute();
    try {
      zmq::poll(items, std::chrono::milliseconds(renderer.idle() ? 200 : 20));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
      continue;  // a signal (SIGTERM: the loop condition sees it)
    }
    for (int n = 0; n < 4096 && bus::receive(events, in); ++n) {
      try {
        bus::Decoded decoded(in.payload);
        auto event = decoded.root<schema::Event>();
        EventNote note = noteFrom(event);
        const log::LogContext context{{"zone", note.domain}, {"serial", std::to_string(note.seq)}};
        renderer.onEvent(note, now());
      } catch (const std::exception& e) {
        spdlog::warn("dropped a malformed event from the store ({}); the log will fill the gap",
                     e.what());
        if (metrics) metrics->malformed("events");
      }
    }
    for (int n = 0; n < 4096 && bus::receive(store, in); ++n) {
      try {
        bus::Decoded decoded(in.payload);
        auto reply = decoded.root<schema::Reply>();
        if (reply.getVersion() != schema::PROTOCOL_VERSION) {
          throw std::runtime_error("protocol version " + std::to_string(reply.getVersion()));
        }
        if (audits.owns(reply.getRequestId())) {
          audits.onReply(reply.getRequestId(), reply, now().mono);
          continue;
        }
        if (pager.owns(reply.getRequestId())) {
          SnapshotPager::Step step = pager.onReply(reply);
          if (step.next && !bus::send(store, {}, pageQuery(*step.next))) {
            spdlog::debug("store query socket is full");  // the renderer asks again later
          }
          if (step.done) {
            renderer.onStoreAnswer(reply.getRequestId(), std::move(*step.done), now());
          } else {
            renderer.onSnapshotProgress(reply.getRequestId(), now());
          }
          continue;
        }
        renderer.onStoreAnswer(reply.getRequestId(), decodeAnswer(reply), now());
      } catch (const std::exception& e) {
        spdlog::warn("dropped a malformed answer from the store ({}); the query will be retried",
                     e.what());
        if (metrics) metrics->malformed("store");
      }
    }
    for (int n = 0; n < 4096 && bus::receive(pusher, in); ++n) {
      try {
        bus::Decoded decoded(in.payload);
        auto ack = decoded.root<schema::DeployAck>();
        if (ack.getVersion() != schema::PROTOCOL_VERSION) {
          throw std::runtime_error("protocol version " + std::to_string(ack.getVersion()));
        }
        const log::LogContext context{{"zone", ack.getDomain()},
                                      {"serial", std::to_string(ack.getSerial())}};
        renderer.onAck(ack.getDomain(), ack.getSerial(), ack.getOk(), ack.getDetail(), now(),
                       ack.getNeedFull());
        if (metrics) metrics->ack(ack.getOk());
      } catch (const std::exception& e) {
        spdlog::warn(
            "dropped a malformed acknowledgement from the pusher ({}); the deploy will "
            "be retried",
            e.what());
        if (metrics) metrics->malformed("pusher");
      }
    }
    zmq::message_t ping;
    while (wake.recv(ping, zmq::recv_flags::dontwait)) {
    }
    for (auto& done : pool.takeDone()) {
      if (done.verdict == CheckVerdict::kRefused) {
        // Tell the pusher, so the zone's status shows why the nameservers lag.
        if (!bus::send(pusher, {}, refusedFrame(done.domain, done.serial, done.text))) {
          spdlog::debug("the pusher is not accepting messages; its status misses the refusal");
        }
      }
      if (metrics && done.checked) metrics->checked(done.verdict);
      renderer.onChecked(done.domain, done.serial, done.verdict, std::move(done.text), now());
    }
    const Now t = now();
    renderer.tick(t);
    const uint64_t cursor = renderer.cursor();
    if (metrics) metrics->progress(cursor, renderer.heard());
    if (cursor != saved && (t.mono - lastSave >= kCursorSaveMs || renderer.idle())) {
      cursorFile.save(cursor);
      saved = cursor;
      lastSave = t.mono;
    }
  }
  if (renderer.cursor() != saved) cursorFile.save(renderer.cursor());
  spdlog::info("stopping at cursor {}", renderer.cursor());
}

}  // namespace zp::render
