// ZoneFileParts: a whole version sent as pieces is joined, or dropped on a gap.

#include "pipelines/push/zone_file_parts.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace zp::push {
namespace {

struct Piece {
  std::string sender;
  uint64_t serial;
  uint32_t index;
  bool last;
  std::string text;
};

TEST(ZoneFilePartsTest, PiecesInOrderJoinAndAnythingElseDropsTheVersion) {
  struct Case {
    const char* what;
    std::vector<Piece> pieces;
    std::vector<std::optional<std::string>> want;  // after each piece
  } cases[] = {
      {"one piece", {{"r", 5, 0, true, "a\n"}}, {"a\n"}},
      {"three pieces",
       {{"r", 5, 0, false, "a\n"}, {"r", 5, 1, false, "b\n"}, {"r", 5, 2, true, "c\n"}},
       {std::nullopt, std::nullopt, "a\nb\nc\n"}},
      {"a gap drops it",
       {{"r", 5, 0, false, "a\n"}, {"r", 5, 2, true, "c\n"}},
       {std::nullopt, std::nullopt}},
      {"a repeated piece drops it",
       {{"r", 5, 0, false, "a\n"}, {"r", 5, 1, false, "b\n"}, {"r", 5, 1, true, "b\n"}},
       {std::nullopt, std::nullopt, std::nullopt}},
      {"a piece without its first", {{"r", 5, 1, true, "b\n"}}, {std::nullopt}},
      {"another serial drops it",
       {{"r", 5, 0, false, "a\n"}, {"r", 6, 1, true, "b\n"}},
       {std::nullopt, std::nullopt}},
      {"a new first piece starts again",
       {{"r", 5, 0, false, "old\n"}, {"r", 6, 0, false, "a\n"}, {"r", 6, 1, true, "b\n"}},
       {std::nullopt, std::nullopt, "a\nb\n"}},
      {"two senders interleaved",
       {{"r1", 5, 0, false, "a\n"},
        {"r2", 7, 0, false, "x\n"},
        {"r1", 5, 1, true, "b\n"},
        {"r2", 7, 1, true, "y\n"}},
       {std::nullopt, std::nullopt, "a\nb\n", "x\ny\n"}},
      {"over the size bound",
       {{"r", 5, 0, false, "0123456789"}, {"r", 5, 1, true, "0123456789"}},
       {std::nullopt, std::nullopt}},
  };
  for (const auto& c : cases) {
    ZoneFileParts parts(16);
    for (size_t i = 0; i < c.pieces.size(); ++i) {
      const Piece& p = c.pieces[i];
      EXPECT_EQ(parts.add(p.sender, "zone.test", p.serial, p.index, p.last, p.text), c.want[i])
          << c.what << ", piece " << i;
    }
    EXPECT_EQ(parts.inProgress(), 0u) << c.what;
  }
}

}  // namespace
}  // namespace zp::push
