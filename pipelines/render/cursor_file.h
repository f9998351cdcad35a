#pragma once
// The renderer's durable cursor: `<dir>/cursor` (or, with several renderer
// instances, `<dir>/cursor-<i>-of-<N>`, see partition.h) holds one decimal seq. Every
// event with seq <= cursor has been rendered and acknowledged by the pusher,
// so a restarted renderer resumes after it (replaying is harmless: deploys
// are idempotent). Written tmp + fsync + rename. Not thread-safe.

#include <cstdint>
#include <string>

namespace zp::render {

class CursorFile {
 public:
  // Creates `dir` if needed. Throws std::runtime_error when it cannot.
  explicit CursorFile(std::string dir, const std::string& fileName = "cursor");

  // 0 when the file does not exist. Throws std::runtime_error naming the file
  // when it holds anything but a decimal number (fix or delete it; deleting
  // replays the whole log).
  uint64_t load() const;
  // Throws std::system_error on I/O failure.
  void save(uint64_t cursor);

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace zp::render
