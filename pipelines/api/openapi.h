#pragma once
// The OpenAPI 3.1 document served at GET /api/v1/openapi.json, generated from
// the route table (routes.h): every path and method the server really has,
// with parameters, request bodies, response schemas and headers, the error
// body, the permission each operation needs (also as `x-permission`) and the
// bearer security scheme. Pure; thread-safe.

#include <string>

namespace zp::api {

// The whole document as compact JSON (valid UTF-8).
std::string openApiDocument();

}  // namespace zp::api
