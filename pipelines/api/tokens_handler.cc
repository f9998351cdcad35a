#include "pipelines/api/tokens_handler.h"

#include <algorithm>
#include <vector>

#include "common/auth/token.h"
#include "common/schema/codec.h"
#include "common/util/ids.h"
#include "pipelines/api/routes.h"

namespace zp::api {
namespace {

bool holds(const std::vector<std::string>& granted, std::string_view permission) {
  return std::find(granted.begin(), granted.end(), permission) != granted.end();
}

}  // namespace

Status checkGrant(const Principal& creator, const TokenRequest& request) {
  if (!creator.scope.unlimited()) {
    return Error{ErrorKind::kPermission, "",
                 "a token with a scope (zones, record types, names, expiry or addresses) may "
                 "not create tokens; use an unlimited token with tokens:manage or the "
                 "dashboard"};
  }
  for (const auto& p : request.permissions) {
    const bool ok = holds(creator.permissions, p) ||
                    (p.rfind("dns:", 0) == 0 && holds(creator.permissions, "dns:*"));
    if (!ok) {
      return Error{ErrorKind::kPermission, "permissions",
                   "this token may not grant " + p + ": a token grants only permissions it holds"};
    }
  }
  return std::nullopt;
}

Result<NewToken> prepareToken(std::string_view body, const Principal& creator, int64_t now) {
  auto request = decodeTokenBody(body);
  if (!request) return request.error();
  return prepareToken(std::move(request).value(), creator, now);
}

Result<NewToken> prepareToken(TokenRequest request, const Principal& creator, int64_t now) {
  if (request.permissions.empty()) {
    return Error::validation("permissions", "choose at least one permission");
  }
  std::string joined;
  for (const auto& p : request.permissions) joined += (joined.empty() ? "" : ",") + p;
  auto permissions = auth::parsePermissions(joined);
  if (!permissions) return permissions.error();
  auto scope = auth::validateScope(request.scope, now);
  if (!scope) return scope.error();
  NewToken out;
  out.request = std::move(request);
  out.request.permissions = std::move(permissions).value();
  out.request.scope = std::move(scope).value();
  if (auto st = checkGrant(creator, out.request)) return *st;
  out.secret = auth::generateSecret();
  return out;
}

void fillCreateToken(const NewToken& token, schema::Command::Builder command) {
  auto g = command.getBody().initCreateToken();
  const auto& perms = token.request.permissions;
  auto list = g.initPermissions(static_cast<unsigned>(perms.size()));
  for (unsigned i = 0; i < perms.size(); ++i) list.set(i, perms[i]);
  const auto hash = auth::hashSecret(token.secret);
  g.setHash(kj::arrayPtr(hash.data(), hash.size()));
  g.setPrefix(token.secret.substr(0, 8));
  if (!token.request.name.empty()) g.setName(token.request.name);
  if (!token.request.scope.unlimited()) schema::toSchema(token.request.scope, g.initScope());
}

Result<std::string> createdBody(schema::Reply::Reader reply, const std::string& secret) {
  if (!reply.getBody().isTokenCreated()) {
    return internalError("the pipeline answered createToken with another body");
  }
  return renderToken(tokenView(reply.getBody().getTokenCreated()), secret);
}

Result<std::string> listBody(schema::Reply::Reader reply) {
  if (!reply.getBody().isTokens()) {
    return internalError("the store answered listTokens with another body");
  }
  std::vector<TokenView> views;
  for (auto t : reply.getBody().getTokens()) views.push_back(tokenView(t));
  return renderTokenList(views);
}

bool looksLikeTokenId(std::string_view id) {
  if (id.size() != 20 || id.substr(0, 4) != "tok_") return false;
  return std::all_of(id.begin() + 4, id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void TokensHandler::list(const ExchangePtr& x, const ApiRequest&) {
  gate_.flushLastUses(*x->principal, [this, x] {
    guarded(x, [&] {
      calls_.query(
          x, [](schema::Query::Builder q) { q.getBody().setListTokens(); },
          [x](schema::Reply::Reader reply) {
            auto body = listBody(reply);
            if (!body) return x->fail(body.error());
            x->send(200, *body);
          });
    });
  });
}

void TokensHandler::create(const ExchangePtr& x, const ApiRequest& req) {
  if (!gate_.bodyFits(x, req.body)) return;
  auto token = prepareToken(req.body, *x->principal, nowSeconds());
  if (!token) return x->fail(token.error());
  auto secret = std::make_shared<const std::string>(token->secret);
  calls_.command(
      x, [&](schema::Command::Builder c) { fillCreateToken(*token, c); },
      [x, secret](schema::Reply::Reader reply) {
        auto answer = createdBody(reply, *secret);
        if (!answer) return x->fail(answer.error());
        const std::string id = reply.getBody().getTokenCreated().getId();
        x->send(201, *answer, {{"Location", std::string(kTokensPath) + id + "/"}});
      });
}

void TokensHandler::revoke(const ExchangePtr& x, const ApiRequest& req) {
  const std::string id = req.pathParam;
  if (!looksLikeTokenId(id)) return x->fail(notFound("token"));
  calls_.command(
      x, [&](schema::Command::Builder c) { c.getBody().setRevokeOwnToken(id); },
      [x](schema::Reply::Reader) { x->send(204, ""); });
}

}  // namespace zp::api
