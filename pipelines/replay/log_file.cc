#include "pipelines/replay/log_file.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <fcntl.h>
#include <kj/exception.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "schema/pipeline.capnp.h"

namespace zp::replay {
namespace {

Error fileError(const std::string& path, const std::string& detail) {
  return Error{ErrorKind::kValidation, "file", path + ": " + detail};
}

Status writeAll(int fd, const void* data, size_t size, const std::string& path) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{ErrorKind::kUnavailable, "file",
                   "cannot write " + path + ": " + std::strerror(errno)};
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return std::nullopt;
}

capnp::ReaderOptions readerOptions() {
  capnp::ReaderOptions o;
  o.traversalLimitInWords = uint64_t{1} << 26;
  return o;
}

// Closes a descriptor on scope exit.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<LogRange> writeLogFile(LogSource& source, const std::string& path) {
  auto range = source.open();
  if (!range) return range.error();
  const std::string tmp = path + ".tmp";
  Fd out{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
  if (out.fd < 0) {
    return Error{ErrorKind::kUnavailable, "file",
                 "cannot create " + tmp + ": " + std::strerror(errno)};
  }
  auto fail = [&](Error e) -> Result<LogRange> {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    return e;
  };
  {
    capnp::MallocMessageBuilder m;
    auto h = m.initRoot<schema::LogFileHeader>();
    h.setVersion(schema::LOG_FILE_VERSION);
    h.setCount(range->count);
    h.setFirstSeq(range->firstSeq);
    h.setLastSeq(range->lastSeq);
    auto words = capnp::messageToFlatArray(m);
    if (auto st = writeAll(out.fd, words.asBytes().begin(), words.asBytes().size(), tmp)) {
      return fail(*st);
    }
  }
  uint64_t expected = range->firstSeq, written = 0;
  while (true) {
    auto page = source.nextPage();
    if (!page) return fail(page.error());
    if (page->empty()) break;
    for (const auto& words : *page) {
      capnp::FlatArrayMessageReader reader(words.asPtr(), readerOptions());
      const uint64_t seq = reader.getRoot<schema::Event>().getSeq();
      if (seq != expected || written >= range->count) {
        return fail(Error{ErrorKind::kInternal, "",
                          "the log source delivered event " + std::to_string(seq) +
                              " where event " + std::to_string(expected) + " was due"});
      }
      // A flat array is already in stream framing (segment table + segments).
      if (auto st = writeAll(out.fd, words.asBytes().begin(), words.asBytes().size(), tmp)) {
        return fail(*st);
      }
      ++expected;
      ++written;
    }
  }
  if (written != range->count) {
    return fail(Error{ErrorKind::kInternal, "",
                      "the log source ended after " + std::to_string(written) + " of " +
                          std::to_string(range->count) + " events"});
  }
  if (::fsync(out.fd) != 0) {
    return fail(Error{ErrorKind::kUnavailable, "file",
                      "cannot fsync " + tmp + ": " + std::strerror(errno)});
  }
  ::close(out.fd);
  out.fd = -1;
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail(Error{ErrorKind::kUnavailable, "file",
                      "cannot rename " + tmp + " to " + path + ": " + std::strerror(errno)});
  }
  return *range;
}

FileLogSource::FileLogSource(std::string path, uint32_t pageSize)
    : path_(std::move(path)), pageSize_(pageSize == 0 ? 1 : pageSize) {}

FileLogSource::~FileLogSource() {
  if (fd_ >= 0) ::close(fd_);
}

Result<LogRange> FileLogSource::open() {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    return Error{ErrorKind::kNotFound, "file",
                 "cannot open " + path_ + ": " + std::strerror(errno)};
  }
  try {
    capnp::StreamFdMessageReader reader(fd_, readerOptions());
    auto h = reader.getRoot<schema::LogFileHeader>();
    if (h.getVersion() != schema::LOG_FILE_VERSION) {
      return fileError(path_, "log file version " + std::to_string(h.getVersion()) +
                                  " is not the version this zonepipe reads (" +
                                  std::to_string(schema::LOG_FILE_VERSION) + ")");
    }
    range_ = LogRange{h.getCount(), h.getFirstSeq(), h.getLastSeq()};
  } catch (const kj::Exception& e) {
    return fileError(path_,
                     "not a zonepipe log file (" + std::string(e.getDescription().cStr()) + ")");
  }
  const bool consistent = range_.count == 0
                              ? (range_.firstSeq == 0 && range_.lastSeq == 0)
                              : (range_.firstSeq >= 1 && range_.lastSeq >= range_.firstSeq &&
                                 range_.lastSeq - range_.firstSeq + 1 == range_.count);
  if (!consistent) {
    return fileError(path_, "the header's range (" + std::to_string(range_.count) + " events, " +
                                std::to_string(range_.firstSeq) + ".." +
                                std::to_string(range_.lastSeq) + ") does not add up");
  }
  return range_;
}

Result<std::vector<EventWords>> FileLogSource::nextPage() {
  if (fd_ < 0) return fileError(path_, "read before open");
  std::vector<EventWords> page;
  while (read_ < range_.count && page.size() < pageSize_) {
    const uint64_t expected = range_.firstSeq + read_;
    try {
      capnp::StreamFdMessageReader reader(fd_, readerOptions());
      auto event = reader.getRoot<schema::Event>();
      if (event.getSeq() != expected) {
        return fileError(path_, "event " + std::to_string(event.getSeq()) + " where event " +
                                    std::to_string(expected) + " was due");
      }
      capnp::MallocMessageBuilder copy;
      copy.setRoot(event);
      page.push_back(capnp::messageToFlatArray(copy));
    } catch (const kj::Exception& e) {
      return fileError(path_, "cannot read event " + std::to_string(expected) + " (" +
                                  std::string(e.getDescription().cStr()) +
                                  "); the file is truncated or damaged");
    }
    ++read_;
  }
  if (read_ == range_.count && page.empty()) {
    char extra = 0;
    ssize_t n;
    do {
      n = ::read(fd_, &extra, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 0) return fileError(path_, "unexpected data after the last event");
  }
  return page;
}

}  // namespace zp::replay
