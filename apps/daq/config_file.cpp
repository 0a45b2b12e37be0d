#include "config_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <string_view>

#include "exit_codes.hpp"

namespace daq::cli {
namespace {

/// Reads one line of the TOML subset; every error names the file, line and what was expected.
class LineParser {
 public:
  LineParser(std::string_view text, const std::string& file, std::size_t line)
      : text_(text), file_(file), line_(line) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw UsageError("--config " + file_ + ":" + std::to_string(line_) + ": " + what);
  }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  bool at_end_or_comment() {
    skip_space();
    return pos_ == text_.size() || text_[pos_] == '#';
  }
  bool consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  /// A bare key: letters, digits, '-' and '_'.
  std::string key() {
    skip_space();
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_key_char(text_[pos_])) ++pos_;
    if (pos_ == start) fail("malformed line '" + std::string(text_) + "' (expected key = value)");
    return std::string(text_.substr(start, pos_ - start));
  }

  /// A scalar, or a one-line array of scalars (one string per element).
  std::vector<std::string> value() {
    skip_space();
    if (!consume('[')) return {scalar()};
    std::vector<std::string> items;
    while (!consume(']')) {
      if (pos_ == text_.size()) fail("array not closed with ']' on this line");
      items.push_back(scalar());
      if (!consume(',')) {
        if (!consume(']')) fail("expected ',' or ']' in the array");
        break;
      }
    }
    return items;
  }

 private:
  static bool is_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  }

  std::string scalar() {
    skip_space();
    if (pos_ == text_.size()) fail("missing value after '='");
    const char c = text_[pos_];
    if (c == '"') return basic_string();
    if (c == '\'') return literal_string();
    if (c == '[') fail("nested arrays are not supported");
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != ']' && text_[pos_] != '#' &&
           text_[pos_] != ' ' && text_[pos_] != '\t') {
      ++pos_;
    }
    const std::string_view word = text_.substr(start, pos_ - start);
    if (word == "true" || word == "false") return std::string(word);
    std::string number;
    if (!parse_number(word, number)) {
      fail("malformed value '" + std::string(word) +
           "' (expected a \"string\", a number, true/false or [a, b, ...])");
    }
    return number;
  }

  /// TOML integers and floats: [+-]digits[.digits][e[+-]digits], '_' between digits.
  static bool parse_number(std::string_view word, std::string& out) {
    std::size_t i = 0;
    if (i < word.size() && (word[i] == '+' || word[i] == '-')) {
      if (word[i] == '-') out += '-';
      ++i;
    }
    const auto digits = [&](bool required) {
      const std::size_t start = i;
      while (i < word.size() && ((word[i] >= '0' && word[i] <= '9') ||
                                 (word[i] == '_' && i > start && i + 1 < word.size()))) {
        if (word[i] != '_') out += word[i];
        ++i;
      }
      return !required || i > start;
    };
    if (!digits(true)) return false;
    if (i < word.size() && word[i] == '.') {
      out += word[i++];
      if (!digits(true)) return false;
    }
    if (i < word.size() && (word[i] == 'e' || word[i] == 'E')) {
      out += word[i++];
      if (i < word.size() && (word[i] == '+' || word[i] == '-')) out += word[i++];
      if (!digits(true)) return false;
    }
    return i == word.size();
  }

  std::string basic_string() {
    ++pos_;  // the opening quote
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\\') {
        if (pos_ == text_.size()) break;
        switch (text_[pos_++]) {
          case '"':
            c = '"';
            break;
          case '\\':
            c = '\\';
            break;
          case 'n':
            c = '\n';
            break;
          case 't':
            c = '\t';
            break;
          default:
            fail("unsupported escape in a string (use \\\" \\\\ \\n \\t)");
        }
      }
      out += c;
    }
    if (pos_ == text_.size()) fail("string not closed with '\"' on this line");
    ++pos_;
    return out;
  }

  std::string literal_string() {
    ++pos_;
    const std::size_t end = text_.find('\'', pos_);
    if (end == std::string_view::npos) fail("string not closed with ' on this line");
    std::string out(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return out;
  }

  std::string_view text_;
  const std::string& file_;
  std::size_t line_;
  std::size_t pos_ = 0;
};

std::string option_key(const std::string& key) {
  std::string name = key;
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

std::string allowed_keys(const CLI::App& app) {
  std::string keys;
  for (const CLI::Option* opt : app.get_options()) {
    const auto& names = opt->get_lnames();
    if (names.empty() || !opt->get_configurable() || names.front() == "help") continue;
    keys += (keys.empty() ? "" : ", ") + names.front();
  }
  return keys;
}

}  // namespace

std::vector<ConfigEntry> parse_config(std::istream& in, const std::string& file,
                                      const std::string& table) {
  std::vector<ConfigEntry> entries;
  std::set<std::string, std::less<>> seen;
  std::string text;
  for (std::size_t number = 1; std::getline(in, text); ++number) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    LineParser line(text, file, number);
    if (line.at_end_or_comment()) continue;
    if (line.consume('[')) {
      const std::string name = line.key();
      if (!line.consume(']') || !line.at_end_or_comment()) line.fail("malformed table header");
      if (name != table) line.fail("unknown table [" + name + "] (only [" + table + "])");
      continue;
    }
    ConfigEntry entry;
    entry.key = line.key();
    entry.line = number;
    if (!line.consume('=')) {
      line.fail("malformed line '" + text + "' (expected key = value)");
    }
    entry.values = line.value();
    if (!line.at_end_or_comment()) line.fail("unexpected text after the value of " + entry.key);
    if (!seen.insert(option_key(entry.key)).second) {
      line.fail("key '" + entry.key + "' is given twice");
    }
    entries.push_back(std::move(entry));
  }
  if (in.bad()) throw UsageError("--config: cannot read " + file);
  return entries;
}

void apply_config(CLI::App& app, const std::vector<ConfigEntry>& entries, const std::string& file) {
  for (const ConfigEntry& entry : entries) {
    const std::string where = "--config " + file + ":" + std::to_string(entry.line) + ": ";
    CLI::Option* opt = app.get_option_no_throw("--" + option_key(entry.key));
    if (opt == nullptr || !opt->get_configurable()) {
      throw UsageError(where + "unknown key '" + entry.key + "' (allowed: " + allowed_keys(app) +
                       ")");
    }
    if (opt->count() > 0) continue;  // given on the command line: the flag wins
    if (entry.values.empty()) throw UsageError(where + entry.key + ": empty array");
    opt->add_result(entry.values);
    try {
      opt->run_callback();
    } catch (const CLI::ParseError& e) {
      throw UsageError(where + e.what());
    }
  }
}

void apply_config_file(CLI::App& app, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("--config: cannot read " + path + ": " + std::strerror(errno));
  apply_config(app, parse_config(in, path, app.get_name()), path);
}

}  // namespace daq::cli
