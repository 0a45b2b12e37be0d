// config_file.hpp — `--config FILE.toml`: any option of a subcommand, set from a file.
//
// CLI11 2.1 reads config files only for the top-level app, so a subcommand's file is read here
// and parsed with toml++. Accepted: top-level `key = value` pairs and one optional
// `[<subcommand>]` table; values are strings, integers, floats, true/false and arrays of those.
// Keys are the long option names without dashes, e.g. `bit-depth = 12` (`bit_depth` works
// too). A flag given on the command line wins over the file. The keys of the acquisition
// settings (acquisition::setting_keys()) are set with acquisition::set(), the one validator
// the service and `daq ctl config --set` use too; the front end's own options (`grpc` of
// `daq serve`, ...) go to its CLI11 options.
//
// Every problem is a UsageError whose one-line message names the file and, where there is one,
// the line and the key: unreadable file, a file over kMaxConfigBytes, not a regular file or a
// pipe, invalid TOML, an unknown key or table, a key given twice, or a value the setting
// rejects (acquisition::set()'s message: the flag and the limit) or the option rejects (CLI11's
// validators and conversions). Messages never echo
// the file's contents: at most a short excerpt of the offending key or value, printable ASCII
// only (config_file_test.cpp holds a /etc/shadow-like line to that).
// Thread-safety: plain functions. Allocation: reads the file into owned strings.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "daq/acquisition/settings.hpp"

namespace daq::cli {

/// The largest config file read (a config file is a few dozen lines); larger ones, and pipes
/// that deliver more, are refused with a message naming the limit.
inline constexpr std::size_t kMaxConfigBytes = std::size_t{1} << 20;

/// One `key = value` of a config file.
struct ConfigEntry {
  std::string key;                  ///< as written
  std::vector<std::string> values;  ///< one per array element, as the command line spells them
  std::size_t line = 0;             ///< 1-based
};

/// Parses `text` (TOML). `file` names the source in messages; `table` is the one table name
/// accepted ("[acquire]"). Entries come in the order of their lines. Throws UsageError for
/// invalid TOML, other tables, values that are not scalars or arrays of scalars, and a key
/// given twice (also as bit-depth and bit_depth).
std::vector<ConfigEntry> parse_config(std::string_view text, const std::string& file,
                                      const std::string& table);

/// Sets every option of `app` the entries name that has no value from the command line yet,
/// then runs its validators. Throws UsageError (unknown key, the --config option itself,
/// a rejected value).
void apply_config(CLI::App& app, const std::vector<ConfigEntry>& entries, const std::string& file);

/// The contents of the config file at `path`: a regular file or a pipe, at most
/// kMaxConfigBytes. Throws UsageError naming --config, the path and the reason (errno's, or
/// the limit). `interrupted` is asked whenever a signal cut a wait short (a pipe whose writer
/// is slow); when it returns true, reading stops and Interrupted is thrown.
std::string read_config_file(const std::string& path, const std::function<bool()>& interrupted);

/// The entries naming a setting (acquisition::setting_keys()) set on `settings` with
/// acquisition::set() (an array's elements joined by ','), except those whose flag `app` got on
/// the command line; the other entries go to apply_config(). Throws UsageError naming the file,
/// the line and the flag with set()'s limit, quoting only an excerpt of the value.
void apply_config(CLI::App& app, acquisition::Settings& settings,
                  const std::vector<ConfigEntry>& entries, const std::string& file);

/// read_config_file + parse_config + apply_config(app, settings, ...), with `table` the one
/// table the file may have ("acquire": `daq check` and `daq serve` read the same files as
/// `daq acquire`).
void apply_config_file(CLI::App& app, acquisition::Settings& settings, const std::string& path,
                       const std::string& table, const std::function<bool()>& interrupted);

}  // namespace daq::cli
