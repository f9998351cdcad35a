#pragma once
// application/x-www-form-urlencoded bodies (the account pages' forms).
// Stateless functions, thread-safe.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace zp::api {

// name -> values in order; '+' is a space, %XX decoded. A bad escape is a
// validation error naming the field.
using Form = std::multimap<std::string, std::string>;
Result<Form> parseForm(std::string_view body);

// The first value of `name`, or "".
std::string formValue(const Form& form, const std::string& name);
// Every value of `name` (checkboxes, multi-selects).
std::vector<std::string> formValues(const Form& form, const std::string& name);

}  // namespace zp::api
