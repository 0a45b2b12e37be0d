#include "config_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <set>
#include <stdexcept>

#include "exit_codes.hpp"

namespace daq::cli {
namespace {

/// Longest excerpt of a key or value quoted in a message.
constexpr std::size_t kExcerptChars = 16;
/// Longest text of toml++'s own description of a syntax error.
constexpr std::size_t kParserMessageChars = 120;

/// `text` fit to quote in a message: printable ASCII (anything else becomes '?'), at most
/// `limit` characters, cut ones marked with "...". The config file may be anything the user
/// can name (a key file, /etc/shadow): a message must not replay it.
std::string excerpt(std::string_view text, std::size_t limit = kExcerptChars) {
  std::string out;
  for (const char c : text.substr(0, limit)) {
    out += (c >= ' ' && c <= '~') ? c : '?';
  }
  if (text.size() > limit) out += "...";
  return out;
}

/// toml++'s description of a syntax error, with each 'quoted' token it cites cut to an
/// excerpt and the whole made printable and bounded.
std::string parser_message(std::string_view description) {
  std::string out;
  std::size_t at = 0;  // copied up to here; a closing quote is copied with the text after it
  for (std::size_t open = description.find('\''); open != std::string_view::npos;
       open = description.find('\'', at + 1)) {
    const std::size_t close = description.find('\'', open + 1);
    if (close == std::string_view::npos) break;
    out += description.substr(at, open + 1 - at);
    out += excerpt(description.substr(open + 1, close - open - 1));
    at = close;
  }
  out += description.substr(at);
  return excerpt(out, kParserMessageChars);
}

/// `message` with every occurrence of `value` replaced by its excerpt.
std::string with_value_excerpt(std::string message, const std::string& value) {
  if (value.empty()) return message;
  const std::string short_value = excerpt(value);
  for (std::size_t at = message.find(value); at != std::string::npos;
       at = message.find(value, at + short_value.size())) {
    message.replace(at, value.size(), short_value);
  }
  return message;
}

[[noreturn]] void fail_at(const std::string& file, std::size_t line, const std::string& what) {
  throw UsageError("--config " + file + ":" + std::to_string(line) + ": " + what);
}

std::string option_key(std::string_view key) {
  std::string name(key);
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

std::size_t line_of(const toml::key& key) {
  return key.source().begin.line;
}

/// A scalar as the command line would spell it; false for anything else (tables, arrays,
/// dates and times).
bool scalar_text(const toml::node& node, std::string& out) {
  if (const auto* text = node.as_string()) {
    out = text->get();
  } else if (const auto* integer = node.as_integer()) {
    out = std::to_string(integer->get());
  } else if (const auto* floating = node.as_floating_point()) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, floating->get());
    out.assign(buffer, result.ptr);  // shortest text that reads back as the same double
  } else if (const auto* boolean = node.as_boolean()) {
    out = boolean->get() ? "true" : "false";
  } else {
    return false;
  }
  return true;
}

ConfigEntry entry_of(const toml::key& key, const toml::node& node, const std::string& file) {
  ConfigEntry entry;
  entry.key = std::string(key.str());
  entry.line = line_of(key);
  const auto reject = [&] {
    fail_at(file, entry.line,
            "the value of '" + excerpt(entry.key) +
                "' is not a string, number, true/false or an array of those");
  };
  if (const auto* array = node.as_array()) {
    for (const toml::node& element : *array) {
      if (!scalar_text(element, entry.values.emplace_back())) reject();
    }
  } else if (!scalar_text(node, entry.values.emplace_back())) {
    reject();
  }
  return entry;
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

[[noreturn]] void fail_reading(const std::string& path, int error) {
  throw UsageError("--config: cannot read " + path + ": " + std::strerror(error));
}

/// Closes the descriptor on every path out of read_config_file.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::vector<ConfigEntry> parse_config(std::string_view text, const std::string& file,
                                      const std::string& table) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    fail_at(file, e.source().begin.line, "not valid TOML: " + parser_message(e.description()));
  }
  std::vector<ConfigEntry> entries;
  for (const auto& [key, node] : root) {
    const toml::table* section = node.as_table();
    if (section == nullptr || section->is_inline()) {  // key = value (entry_of refuses tables)
      entries.push_back(entry_of(key, node, file));
      continue;
    }
    if (key.str() != table) {
      fail_at(file, line_of(key),
              "unknown table [" + excerpt(key.str()) + "] (only [" + table + "])");
    }
    for (const auto& [inner_key, inner_node] : *section) {
      entries.push_back(entry_of(inner_key, inner_node, file));
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const ConfigEntry& a, const ConfigEntry& b) { return a.line < b.line; });
  std::set<std::string, std::less<>> seen;
  for (const ConfigEntry& entry : entries) {
    if (!seen.insert(option_key(entry.key)).second) {
      fail_at(file, entry.line, "key '" + excerpt(entry.key) + "' is given twice");
    }
  }
  return entries;
}

void apply_config(CLI::App& app, const std::vector<ConfigEntry>& entries, const std::string& file) {
  for (const ConfigEntry& entry : entries) {
    const std::string where = "--config " + file + ":" + std::to_string(entry.line) + ": ";
    CLI::Option* opt = app.get_option_no_throw("--" + option_key(entry.key));
    if (opt == nullptr || !opt->get_configurable()) {
      throw UsageError(where + "unknown key '" + excerpt(entry.key) +
                       "' (allowed: " + allowed_keys(app) + ")");
    }
    if (opt->count() > 0) continue;  // given on the command line: the flag wins
    if (entry.values.empty()) throw UsageError(where + excerpt(entry.key) + ": empty array");
    opt->add_result(entry.values);
    try {
      opt->run_callback();
    } catch (const CLI::ParseError& e) {
      // CLI11 and our validators quote the value: only an excerpt of it may be shown.
      std::string message = e.what();
      for (const std::string& value : entry.values) {
        message = with_value_excerpt(std::move(message), value);
      }
      throw UsageError(where + excerpt(message, message.size()));
    }
  }
}

void apply_config(CLI::App& app, acquisition::Settings& settings,
                  const std::vector<ConfigEntry>& entries, const std::string& file) {
  const auto& setting_keys = acquisition::setting_keys();
  std::vector<ConfigEntry> options;  // the front end's own
  for (const ConfigEntry& entry : entries) {
    const std::string key = option_key(entry.key);
    if (std::find(setting_keys.begin(), setting_keys.end(), key) == setting_keys.end()) {
      options.push_back(entry);
      continue;
    }
    const CLI::Option* flag = app.get_option_no_throw("--" + key);
    if (flag != nullptr && flag->count() > 0) continue;  // given on the command line: it wins
    const std::string where = "--config " + file + ":" + std::to_string(entry.line) + ": ";
    if (entry.values.empty()) throw UsageError(where + excerpt(entry.key) + ": empty array");
    std::string value;
    for (const std::string& element : entry.values) {
      value += (value.empty() ? "" : ",") + element;
    }
    try {
      acquisition::set(settings, key, value);
    } catch (const std::invalid_argument& e) {  // ConfigError: names the flag and the limit
      std::string message = with_value_excerpt(e.what(), value);
      throw UsageError(where + excerpt(message, message.size()));
    }
  }
  apply_config(app, options, file);
}

std::string read_config_file(const std::string& path, const std::function<bool()>& interrupted) {
  const auto check_interrupted = [&] {
    if (interrupted()) throw Interrupted("interrupted while reading --config " + path);
  };
  int fd = -1;
  // A pipe's open() waits for its writer; a signal ends the wait with EINTR.
  while ((fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0 && errno == EINTR) {
    check_interrupted();
  }
  if (fd < 0) fail_reading(path, errno);
  const FileDescriptor file(fd);
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) fail_reading(path, errno);
  if (!S_ISREG(status.st_mode) && !S_ISFIFO(status.st_mode)) {
    throw UsageError("--config: " + path + " is not a regular file or a pipe");
  }
  const std::string limit = "the limit is " + std::to_string(kMaxConfigBytes) + " bytes (1 MiB)";
  if (S_ISREG(status.st_mode) && static_cast<std::size_t>(status.st_size) > kMaxConfigBytes) {
    throw UsageError("--config: " + path + " is " + std::to_string(status.st_size) + " bytes; " +
                     limit);
  }
  std::string text(kMaxConfigBytes + 1, '\0');  // one more: a pipe that sends more is refused
  std::size_t size = 0;
  while (size < text.size()) {
    const ssize_t n = ::read(file.get(), text.data() + size, text.size() - size);
    if (n > 0) {
      size += static_cast<std::size_t>(n);
    } else if (n == 0) {
      break;
    } else if (errno == EINTR) {
      check_interrupted();
    } else {
      fail_reading(path, errno);
    }
  }
  if (size > kMaxConfigBytes) {
    throw UsageError("--config: " + path + " delivers more than " +
                     std::to_string(kMaxConfigBytes) + " bytes; " + limit);
  }
  text.resize(size);
  return text;
}

void apply_config_file(CLI::App& app, acquisition::Settings& settings, const std::string& path,
                       const std::string& table, const std::function<bool()>& interrupted) {
  apply_config(app, settings, parse_config(read_config_file(path, interrupted), path, table), path);
}

}  // namespace daq::cli
