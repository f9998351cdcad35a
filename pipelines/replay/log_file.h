#pragma once
// The portable log file (`zonepipe log export` / `log import`): a Cap'n Proto
// stream (capnp::writeMessageToFd framing) of one schema::LogFileHeader and
// then `count` schema::Event messages, ascending seq without gaps.

#include <cstdint>
#include <memory>
#include <string>

#include "pipelines/replay/log_source.h"

namespace zp::replay {

// Copies everything `source` delivers into `path`, atomically: `path`.tmp is
// written, fsynced and renamed over `path`, so a failed export leaves no
// half file. Checks that the events are exactly the announced range. Returns
// the range written.
Result<LogRange> writeLogFile(LogSource& source, const std::string& path);

// Reads a log file written by writeLogFile. Every malformed part (wrong
// version, truncated stream, a seq out of order, trailing bytes) is an
// error naming the file and the position. Owns its file descriptor.
class FileLogSource : public LogSource {
 public:
  explicit FileLogSource(std::string path, uint32_t pageSize = 1000);
  ~FileLogSource() override;
  FileLogSource(const FileLogSource&) = delete;
  FileLogSource& operator=(const FileLogSource&) = delete;

  Result<LogRange> open() override;
  Result<std::vector<EventWords>> nextPage() override;

 private:
  std::string path_;
  uint32_t pageSize_;
  int fd_ = -1;
  LogRange range_;
  uint64_t read_ = 0;  // events delivered so far
};

}  // namespace zp::replay
