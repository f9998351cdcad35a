#include "pipelines/admin/password_input.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace zp::admin {
namespace {

bool readLine(std::string& out) {
  out.clear();
  if (!std::getline(std::cin, out)) return false;
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return true;
}

// One line from the terminal with echo off (restored even when reading fails).
bool readHidden(const std::string& prompt, std::string& out) {
  std::fprintf(stderr, "%s: ", prompt.c_str());
  std::fflush(stderr);
  termios old{};
  const bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  const bool ok = readLine(out);
  if (tty) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  std::fputc('\n', stderr);
  return ok;
}

}  // namespace

Result<std::string> readPassword(const std::string& what) {
  std::string first;
  if (!isatty(STDIN_FILENO)) {
    if (!readLine(first)) {
      return Error::validation("password", "no " + what + " on stdin (give it as one line)");
    }
    return first;
  }
  std::string second;
  if (!readHidden("new " + what, first) || !readHidden("the same again", second)) {
    return Error::validation("password", "no " + what + " was typed");
  }
  if (first != second) return Error::validation("password", "the two passwords differ");
  return first;
}

}  // namespace zp::admin
