#include "daq/acquisition/flag_names.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace daq::acquisition {
namespace {

struct FieldFlags {
  std::string_view field;  ///< a name the libraries use in their messages
  std::string_view flags;  ///< the command-line flag(s) that set it
};

constexpr std::array kFields{
    FieldFlags{"width", "--width"},
    FieldFlags{"height", "--height"},
    FieldFlags{"bit_depth", "--bit-depth"},
    FieldFlags{"fps", "--fps"},
    FieldFlags{"frame_rate_hz", "--fps"},
    FieldFlags{"exposure_ms", "--exposure-ms"},
    FieldFlags{"exposure_us", "--exposure-ms"},
    FieldFlags{"roi", "--roi"},
    FieldFlags{"binning", "--binning"},
    FieldFlags{"frame_count", "--frames"},
    FieldFlags{"pattern", "--pattern"},
    FieldFlags{"seed", "--seed"},
    FieldFlags{"compression", "--compression"},
    FieldFlags{"out", "--out"},
    FieldFlags{"pool_frames", "--pool-frames"},
    // The frame does not fit the memory budget: the frame size flags are the user's lever.
    FieldFlags{"memory_budget_bytes", "--width, --height, --bit-depth"},
};

/// Labels of drivers that prefix their messages ("aravis: ...").
constexpr std::array<std::string_view, 3> kDriverLabels{"aravis", "pvcam", "sim"};

std::string_view flags_of(std::string_view field) {
  for (const FieldFlags& f : kFields) {
    if (f.field == field) return f.flags;
  }
  return {};
}

/// The flags of a (possibly dotted) field: "roi.x" → --roi, "delivery.pool_frames" →
/// --pool-frames.
std::string_view flags_of_dotted(std::string_view token) {
  const std::string_view head = token.substr(0, token.find('.'));
  if (const std::string_view flags = flags_of(head); !flags.empty()) return flags;
  return flags_of(token.substr(token.rfind('.') + 1));
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
}

/// The words of `text` (letters, digits, '_', '.'), trailing dots removed ("pixels." → pixels).
std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_word_char(text[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && is_word_char(text[end])) ++end;
    std::string_view word = text.substr(i, end - i);
    while (!word.empty() && word.back() == '.') word.remove_suffix(1);
    if (!word.empty()) out.push_back(word);
    i = end;
  }
  return out;
}

/// "<label>: " at the start of `text`: the label, else empty.
std::string_view leading_label(std::string_view text) {
  const auto colon = text.find(": ");
  if (colon == std::string_view::npos || colon == 0) return {};
  const std::string_view label = text.substr(0, colon);
  const bool one_word = std::all_of(label.begin(), label.end(), is_word_char);
  return one_word ? label : std::string_view{};
}

void add_unique(std::vector<std::string_view>& flags, std::string_view more) {
  if (!more.empty() && std::find(flags.begin(), flags.end(), more) == flags.end()) {
    flags.push_back(more);
  }
}

}  // namespace

std::string with_flag_names(std::string_view message) {
  std::string_view body = message;
  std::string_view label = leading_label(body);
  if (std::find(kDriverLabels.begin(), kDriverLabels.end(), label) != kDriverLabels.end()) {
    body.remove_prefix(label.size() + 2);
    label = leading_label(body);
  }
  if (const std::string_view flags = flags_of_dotted(label); !label.empty() && !flags.empty()) {
    const std::string_view before = message.substr(0, message.size() - body.size());
    return std::string(flags) + ": " + std::string(before) +
           std::string(body.substr(label.size() + 2));
  }
  std::vector<std::string_view> flags;
  const std::vector<std::string_view> body_words = words(body);
  for (std::size_t i = 0; i < body_words.size(); ++i) {
    const std::string_view word = body_words[i];
    const bool dotted = word.find('.') != std::string_view::npos;
    if (i == 0 || dotted) {
      add_unique(flags, flags_of_dotted(word));
    } else if (word == "memory_budget_bytes") {
      add_unique(flags, flags_of(word));
    }
  }
  if (flags.empty()) return std::string(message);
  std::string out;
  for (const std::string_view flag : flags) {
    out += out.empty() ? "" : ", ";
    out += flag;
  }
  return out + ": " + std::string(message);
}

}  // namespace daq::acquisition
