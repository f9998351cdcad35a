#pragma once
// Reads a password for the admin CLI, never from argv (issue 9): from the
// terminal without echo (asked twice, they must match) when stdin is one,
// else the first line of stdin (scripts: `printf '%s\n' "$PW" | zonepipe user
// create alice`). The trailing newline (and a CR before it) is dropped.

#include <string>

#include "common/util/result.h"

namespace zp::admin {

// `what` names it in the prompts ("password for alice"). Errors: stdin ended
// before a line, or the two typed passwords differ.
Result<std::string> readPassword(const std::string& what);

}  // namespace zp::admin
