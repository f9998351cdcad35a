#include "pipelines/api/sync_waiter.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace zp::api {

using Clock = std::chrono::steady_clock;

struct SyncWaiter::State : std::enable_shared_from_this<SyncWaiter::State> {
  struct Waiter {
    Commit commit;
    Clock::time_point deadline;
    Done done;
  };
  struct Domain {
    std::vector<Waiter> waiters;
    bool asking = false;  // a status query is out
    std::optional<deploy::PushStatus> last;
  };
  using Fired = std::vector<std::pair<Done, std::pair<std::optional<deploy::PushStatus>, bool>>>;

  State(BusClient& b, std::chrono::milliseconds i) : bus(b), interval(i) {}

  BusClient& bus;
  const std::chrono::milliseconds interval;
  mutable std::mutex mutex;
  std::condition_variable wake;
  std::map<std::string, Domain> domains;
  bool stopping = false;
  bool closed = false;  // flushed: later waits are answered at once
  std::thread thread;

  static void fire(Fired& fired) {
    for (auto& [done, result] : fired) done(result.first, result.second);
  }

  // Takes the waiters of `d` that `keep` rejects into `fired`.
  template <typename Pred>
  static void takeIf(Domain& d, Fired& fired, bool inSync, Pred pred) {
    auto& w = d.waiters;
    for (size_t i = 0; i < w.size();) {
      if (pred(w[i])) {
        fired.push_back({std::move(w[i].done), {d.last, inSync}});
        w[i] = std::move(w.back());
        w.pop_back();
      } else {
        ++i;
      }
    }
  }

  void onStatus(const std::string& domain, Result<deploy::PushStatus> status) {
    Fired fired;
    {
      std::lock_guard lock(mutex);
      auto it = domains.find(domain);
      if (it == domains.end()) return;
      Domain& d = it->second;
      d.asking = false;
      if (status) d.last = std::move(status).value();
      if (d.last) {
        takeIf(d, fired, true, [&](const Waiter& w) { return served(w.commit, *d.last); });
      }
      if (d.waiters.empty()) domains.erase(it);
    }
    fire(fired);
  }

  void run() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      if (domains.empty()) {
        wake.wait(lock);
        continue;
      }
      Fired fired;
      std::vector<std::string> ask;
      const auto now = Clock::now();
      for (auto it = domains.begin(); it != domains.end();) {
        Domain& d = it->second;
        takeIf(d, fired, false, [&](const Waiter& w) { return w.deadline <= now; });
        if (d.waiters.empty() && !d.asking) {
          it = domains.erase(it);
          continue;
        }
        if (!d.waiters.empty() && !d.asking) {
          d.asking = true;
          ask.push_back(it->first);
        }
        ++it;
      }
      lock.unlock();
      fire(fired);
      for (const auto& domain : ask) {
        std::weak_ptr<State> self = weak_from_this();
        bus.submitStatus(domain, [self, domain](Result<deploy::PushStatus> status) {
          if (auto s = self.lock()) s->onStatus(domain, std::move(status));
        });
      }
      lock.lock();
      if (!stopping) wake.wait_for(lock, interval);
    }
  }

  void flushAll() {
    Fired fired;
    {
      std::lock_guard lock(mutex);
      closed = true;
      for (auto& [name, d] : domains) {
        takeIf(d, fired, false, [](const Waiter&) { return true; });
      }
    }
    fire(fired);
  }
};

SyncWaiter::SyncWaiter(BusClient& bus, std::chrono::milliseconds interval)
    : state_(std::make_shared<State>(bus, interval)) {
  state_->thread = std::thread([s = state_.get()] { s->run(); });
}

SyncWaiter::~SyncWaiter() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  state_->thread.join();
  state_->flushAll();
}

void SyncWaiter::wait(const Commit& commit, std::chrono::milliseconds timeout, Done done) {
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->stopping && !state_->closed) {
      state_->domains[commit.domain].waiters.push_back(
          {commit, Clock::now() + timeout, std::move(done)});
      done = nullptr;
    }
  }
  if (done) {
    done(std::nullopt, false);
    return;
  }
  state_->wake.notify_all();
}

void SyncWaiter::flush() { state_->flushAll(); }

size_t SyncWaiter::pending() const {
  std::lock_guard lock(state_->mutex);
  size_t n = 0;
  for (const auto& [name, d] : state_->domains) n += d.waiters.size();
  return n;
}

}  // namespace zp::api
