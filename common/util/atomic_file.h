#pragma once
// Publishing a file atomically, like tinydns-data: write `<path>.tmp` in the
// same directory, fsync it, rename it over `path`, fsync the directory. A
// reader sees the old file or the new one, never half of one, and after a
// crash the new file is either fully there or not at all.

#include <string>
#include <string_view>

namespace zp {

// Replaces `path` with `contents`. Throws std::system_error naming the path on
// any I/O failure (a full disk or a read-only directory is a broken
// environment); the temporary file is removed then.
void writeFileAtomically(const std::string& path, std::string_view contents);

// kLater: still atomic for readers (tmp + rename), but without the fsyncs;
// the caller makes a batch of such files durable with one syncFileSystem().
enum class Durability { kNow, kLater };
void writeFileAtomically(const std::string& path, std::string_view contents, Durability durability);

// syncfs(2) of the file system holding `dir`. Throws std::system_error.
void syncFileSystem(const std::string& dir);

// fsyncs a directory (after a rename or unlink in it). Throws std::system_error.
void syncDirectory(const std::string& dir);

}  // namespace zp
