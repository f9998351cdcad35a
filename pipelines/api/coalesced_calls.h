#pragma once
// One pipeline call shared by every request that needs the same answer at
// the same time (e.g. the 8 keep-alive clients reading one zone): the store
// and the pusher see one query per round trip instead of one per HTTP read.
//
// Two ways to join, chosen per CoalescedCalls object:
// - kAfterArrival (a read barrier): a request is answered only by a call
//   STARTED AFTER it arrived. While a call for its key is in flight, the
//   request waits for the next call, which starts when the current one
//   answers and serves everything that queued meanwhile. So a write
//   acknowledged before a read is always seen by that read, exactly as with
//   one query per read (linearizable reads; Raft's ReadIndex batches the
//   same way), at one round trip per batch.
// - kInFlight: a request may share a call already in flight (answers that
//   are advisory anyway, such as what the nameservers serve right now).
//
// Each request brings `start(done)`, which sends the call for its key; the
// first request of a batch has its `start` used. `done(value)` must be
// called exactly once, on any thread (normally the BusClient thread), with
// the answer or an error value. Waiters run on the thread that calls `done`,
// outside the lock, in arrival order. Thread-safe: any thread may call
// `request`.
// Keys must pin everything the answer depends on (the user, the token's
// scope, the zone).

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace zp::api {

enum class CoalesceJoin { kAfterArrival, kInFlight };

template <typename Value>
class CoalescedCalls {
 public:
  using Waiter = std::function<void(const Value&)>;
  using Done = std::function<void(Value)>;
  using Start = std::function<void(Done done)>;

  explicit CoalescedCalls(CoalesceJoin join) : join_(join) {}
  CoalescedCalls(const CoalescedCalls&) = delete;
  CoalescedCalls& operator=(const CoalescedCalls&) = delete;

  void request(const std::string& key, Waiter waiter, Start start) {
    {
      std::lock_guard lock(mutex_);
      auto [it, fresh] = keys_.try_emplace(key);
      if (!fresh) {
        Batch& batch = join_ == CoalesceJoin::kInFlight ? it->second.inFlight : it->second.next;
        if (!batch.start) batch.start = std::move(start);
        batch.waiters.push_back(std::move(waiter));
        ++shared_;
        return;
      }
      it->second.inFlight.start = start;
      it->second.inFlight.waiters.push_back(std::move(waiter));
    }
    launch(key, std::move(start));
  }

  // Calls started so far, and requests that shared another's call.
  size_t started() const {
    std::lock_guard lock(mutex_);
    return started_;
  }
  size_t shared() const {
    std::lock_guard lock(mutex_);
    return shared_;
  }
  size_t keysInFlight() const {
    std::lock_guard lock(mutex_);
    return keys_.size();
  }

 private:
  struct Batch {
    Start start;
    std::vector<Waiter> waiters;
  };
  struct Key {
    Batch inFlight;  // answered by the call in flight
    Batch next;      // kAfterArrival: answered by the next call
  };

  void launch(const std::string& key, Start start) {
    {
      std::lock_guard lock(mutex_);
      ++started_;
    }
    start([this, key](Value value) { finish(key, std::move(value)); });
  }

  void finish(const std::string& key, Value value) {
    std::vector<Waiter> answered;
    Start again;
    {
      std::lock_guard lock(mutex_);
      auto it = keys_.find(key);
      if (it == keys_.end()) return;  // not in flight: a broken `done` contract
      answered = std::move(it->second.inFlight.waiters);
      if (it->second.next.waiters.empty()) {
        keys_.erase(it);
      } else {
        it->second.inFlight = std::move(it->second.next);
        it->second.next = Batch{};
        again = it->second.inFlight.start;
      }
    }
    if (again) launch(key, std::move(again));  // first: its round trip overlaps the answers
    for (auto& waiter : answered) waiter(value);
  }

  const CoalesceJoin join_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Key> keys_;
  size_t started_ = 0;
  size_t shared_ = 0;
};

}  // namespace zp::api
