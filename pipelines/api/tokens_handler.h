#pragma once
// The token API (issue 9), without HTTP types: server.cc routes GET/POST
// /api/v1/tokens/ and DELETE /api/v1/tokens/{id}/ to TokensHandler, which uses
// the functions below, and the account pages use the same functions, so there
// is one code path for minting a token. Stateless, thread-safe.
//
// Who may mint what (checkGrant): the route needs tokens:manage; a token with
// any scope limit may not mint tokens at all (a narrowed token must not widen
// itself); and a token grants only permissions it holds: dns:* covers every
// dns: permission, tokens:manage only an explicit tokens:manage.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/util/result.h"
#include "pipelines/api/api_request.h"
#include "pipelines/api/auth_cache.h"
#include "pipelines/api/exchange.h"
#include "pipelines/api/pipeline_calls.h"
#include "pipelines/api/request_gate.h"
#include "pipelines/api/token_json.h"
#include "schema/pipeline.capnp.h"

namespace zp::api {

// A token about to be created: its secret (shown once, in the answer) and
// the validated request (canonical permissions and scope).
struct NewToken {
  std::string secret;
  TokenRequest request;
};

// kPermission naming what `creator` lacks, or nullopt.
Status checkGrant(const Principal& creator, const TokenRequest& request);

// Decodes and validates a POST body (token_json.h, auth::validateScope at
// `now`), checks the grant and draws a fresh secret.
Result<NewToken> prepareToken(std::string_view body, const Principal& creator, int64_t now);
// The same for a request already decoded (the dashboard's form).
Result<NewToken> prepareToken(TokenRequest request, const Principal& creator, int64_t now);

// Command.createToken for the validator (it sets the user from the actor).
void fillCreateToken(const NewToken& token, schema::Command::Builder command);

// The 201 body for the store's `tokenCreated` reply: the token with its secret.
Result<std::string> createdBody(schema::Reply::Reader reply, const std::string& secret);

// The 200 body for the store's `tokens` reply (the user's live tokens).
Result<std::string> listBody(schema::Reply::Reader reply);

// "tok_" + 16 lower-case hex: anything else is a 404 without asking the store.
bool looksLikeTokenId(std::string_view id);

// The handlers (called authenticated, after the unknown-parameter check).
// Borrows calls and gate, which must outlive it.
class TokensHandler {
 public:
  TokensHandler(PipelineCalls& calls, RequestGate& gate) : calls_(calls), gate_(gate) {}

  // The live tokens; reports this API's pending last uses first, so the list
  // shows them.
  void list(const ExchangePtr& x, const ApiRequest& req);
  void create(const ExchangePtr& x, const ApiRequest& req);  // 201, secret once
  void revoke(const ExchangePtr& x, const ApiRequest& req);  // 204

 private:
  PipelineCalls& calls_;
  RequestGate& gate_;
};

}  // namespace zp::api
