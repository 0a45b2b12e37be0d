// typo_hint.hpp — "did you mean --frames?": the line `daq` prints for a word on its command
// line that is no flag or subcommand it knows (CLI11 alone says "The following arguments were
// not expected" or "A subcommand is required").
// Thread-safety: pure functions. Allocation: builds strings.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace daq::cli {

/// Edit distance with adjacent transpositions counted as one edit ("framse" → "frames": 1).
std::size_t typo_distance(std::string_view a, std::string_view b);

/// The name in `names` closest to `typed`, if close enough to be a typo of it: at most one
/// edit per three characters (dashes not counted), at least one; nothing for words shorter
/// than three characters. Ties: the first in `names`.
std::optional<std::string> nearest_name(std::string_view typed,
                                        const std::vector<std::string>& names);

/// After `root.parse()` threw: when words were left over (an unknown flag, an unknown
/// subcommand, a stray value), one error line naming the first such word and, where there is
/// one, the nearest known flag or subcommand, e.g.
///   "daq acquire: error: unknown option --framse (did you mean --frames?)".
/// nullopt when nothing was left over (the parse error's own message says it).
std::optional<std::string> unknown_word_error(const CLI::App& root);

}  // namespace daq::cli
