#include "pipelines/api/changes_handler.h"

#include <memory>
#include <utility>

namespace zp::api {
namespace {

// A change id: the decimal seq, 1 to 20 digits, no sign or leading zero.
std::optional<uint64_t> changeIdOf(const std::string& text) {
  if (text.empty() || text.size() > 19 || text[0] == '0') return std::nullopt;
  uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

}  // namespace

Result<WaitOption> ChangesHandler::waitOf(const ApiRequest& req) {
  return parseWait(req.query("wait"), req.query("timeout_ms"));
}

void ChangesHandler::get(const ExchangePtr& x, const ApiRequest& req) {
  const auto id = changeIdOf(req.pathParam);
  if (!id) return x->fail(notFound("change"));
  auto wait = waitOf(req);
  if (!wait) return x->fail(wait.error());
  const WaitOption w = *wait;
  calls_.query(
      x, [&](schema::Query::Builder q) { q.getBody().setGetChange(*id); },
      [this, x, w](schema::Reply::Reader reply) {
        if (!reply.getBody().isEvents() || reply.getBody().getEvents().getItems().size() != 1) {
          return x->fail(internalError("the store answered getChange with another body"));
        }
        auto commit =
            std::make_shared<const Commit>(commitOf(reply.getBody().getEvents().getItems()[0]));
        calls_.status(commit->domain, [this, x, w, commit](Result<deploy::PushStatus> status) {
          guarded(x, [&] {
            std::optional<deploy::PushStatus> now;
            if (status) now = std::move(status).value();
            if (!w || (now && served(*commit, *now))) {
              return x->send(200, renderChange(*commit, now));
            }
            waiter_.wait(
                *commit, *w, [x, commit, now](const std::optional<deploy::PushStatus>& last, bool) {
                  guarded(x, [&] { x->send(200, renderChange(*commit, last ? last : now)); });
                });
          });
        });
      });
}

void ChangesHandler::answerWrite(const ExchangePtr& x, WriteAnswer answer, WaitOption wait) {
  if (answer.commit && !answer.bodyHasCommit) {
    if (answer.body.empty()) {
      const Headers extra = commitHeaders(*answer.commit);
      answer.headers.insert(answer.headers.end(), extra.begin(), extra.end());
    } else {
      answer.body = withCommit(answer.body, *answer.commit);
    }
  }
  if (!wait || !answer.commit) {
    return x->send(answer.status, answer.body, answer.headers);
  }
  const Commit commit = *answer.commit;
  auto held = std::make_shared<const WriteAnswer>(std::move(answer));
  waiter_.wait(commit, *wait,
               [x, held](const std::optional<deploy::PushStatus>& last, bool inSync) {
                 guarded(x, [&] {
                   if (inSync) return x->send(held->status, held->body, held->headers);
                   Headers headers = commitHeaders(*held->commit);
                   headers.emplace_back("Location", changeUrl(held->commit->changeId));
                   x->send(202, renderChange(*held->commit, last), headers);
                 });
               });
}

}  // namespace zp::api
