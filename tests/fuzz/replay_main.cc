// Runs a fuzz target's LLVMFuzzerTestOneInput without libFuzzer, so the
// ordinary (gcc) build and CTest exercise every target: first every saved
// input (the seed corpus and past findings), then, with --mutate-seconds N,
// N seconds of blind mutations of them (bit flips, byte changes, cuts,
// duplications and splices; a fixed seed, so a run is repeatable). No
// coverage guidance and no sanitizers here: scripts/fuzz is the real search;
// this makes a regression show in scripts/test. A crash or a violated
// property aborts; the input that did it is written to
// ./fuzz-replay-failure.bin first.
// Usage: fuzz_replay_<target> [--mutate-seconds N] FILE_OR_DIR...
// (directories: every file in them; a path that does not exist is skipped).
// Exit 1 when nothing was replayed.

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

const std::string* current = nullptr;  // the input being run, for the abort handler

void saveCurrent(int signal) {
  if (current != nullptr) {
    if (FILE* f = std::fopen("fuzz-replay-failure.bin", "wb")) {
      std::fwrite(current->data(), 1, current->size(), f);
      std::fclose(f);
    }
    static const char note[] = "fuzz replay: the failing input is in ./fuzz-replay-failure.bin\n";
    (void)!std::fwrite(note, 1, sizeof note - 1, stderr);
  }
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

void run(const std::string& input) {
  current = &input;
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  current = nullptr;
}

std::string readFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string mutate(std::string s, const std::vector<std::string>& inputs, std::mt19937_64& rng) {
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    const size_t at = s.empty() ? 0 : rng() % s.size();
    switch (rng() % 6) {
      case 0:
        if (!s.empty()) s[at] = static_cast<char>(s[at] ^ (1 << (rng() % 8)));
        break;
      case 1:
        if (!s.empty()) s[at] = static_cast<char>(rng());
        break;
      case 2:
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(rng()));
        break;
      case 3:
        if (!s.empty()) s.erase(at, 1 + rng() % std::min<size_t>(s.size() - at, 16));
        break;
      case 4:
        if (!s.empty()) s.insert(at, s.substr(at, 1 + rng() % 16));
        break;
      default: {
        const std::string& other = inputs[rng() % inputs.size()];
        if (!other.empty()) s = s.substr(0, at) + other.substr(rng() % other.size());
      }
    }
  }
  return s.size() > 65536 ? s.substr(0, 65536) : s;
}

}  // namespace

int main(int argc, char** argv) {
  double mutateSeconds = 0;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--mutate-seconds" && i + 1 < argc) {
      mutateSeconds = std::stod(argv[++i]);
      continue;
    }
    const std::filesystem::path p(arg);
    if (std::filesystem::is_directory(p)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::recursive_directory_iterator(p)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) inputs.push_back(readFile(f));
    } else if (std::filesystem::exists(p)) {
      inputs.push_back(readFile(p));
    } else {  // e.g. regressions/<target>/ before the target's first finding
      std::printf("%s: not there; nothing to replay from it\n", arg.c_str());
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "usage: %s [--mutate-seconds N] FILE_OR_DIR... (no input found)\n",
                 argv[0]);
    return 1;
  }
  std::signal(SIGABRT, saveCurrent);
  std::signal(SIGSEGV, saveCurrent);
  for (const auto& input : inputs) run(input);
  std::printf("replayed %zu input(s) without a failure\n", inputs.size());

  std::mt19937_64 rng(20261129);
  size_t runs = 0;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(mutateSeconds);
  while (mutateSeconds > 0 && std::chrono::steady_clock::now() < deadline) {
    for (int n = 0; n < 64; ++n, ++runs) run(mutate(inputs[rng() % inputs.size()], inputs, rng));
  }
  if (runs > 0) std::printf("and %zu mutation(s) of them without a failure\n", runs);
  return 0;
}
