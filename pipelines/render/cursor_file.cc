#include "pipelines/render/cursor_file.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/util/atomic_file.h"

namespace zp::render {

CursorFile::CursorFile(std::string dir, const std::string& fileName) : path_(dir + "/" + fileName) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw std::runtime_error("cannot create the renderer's state directory " + dir + ": " +
                             ec.message());
  }
}

uint64_t CursorFile::load() const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path_)) return 0;
    throw std::runtime_error("cannot read " + path_);
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw std::runtime_error("the cursor file " + path_ +
                             " does not hold a decimal number; fix it, or delete it to re-render "
                             "every zone from the start of the log");
  }
  return value;
}

void CursorFile::save(uint64_t cursor) {
  writeFileAtomically(path_, std::to_string(cursor) + "\n");
}

}  // namespace zp::render
