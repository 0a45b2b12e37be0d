// config_file.hpp — `--config FILE.toml`: any option of a subcommand, set from a file.
//
// CLI11 2.1 reads config files only for the top-level app, and its reader accepts almost any
// text (a broken array quietly becomes a number), so a subcommand's file is read here, with a
// strict TOML subset: one `key = value` per line, `# comments`, an optional `[<subcommand>]`
// table. Values: "basic" or 'literal' strings, integers, floats, true/false, and one-line
// arrays of those. Keys are the long option names without dashes, e.g. `bit-depth = 12`
// (`bit_depth` works too). A flag given on the command line wins over the file.
//
// Every problem is a UsageError whose one-line message names the file, the line and the key:
// unreadable file, malformed line, unknown key or table, a key given twice, or a value the
// option rejects (CLI11's own validators and conversions run as for the command line).
// Thread-safety: plain functions. Allocation: reads the file into owned strings.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <istream>
#include <string>
#include <vector>

namespace daq::cli {

/// One `key = value` line of a config file.
struct ConfigEntry {
  std::string key;                  ///< as written
  std::vector<std::string> values;  ///< one per array element; strings unquoted
  std::size_t line = 0;             ///< 1-based
};

/// Parses the TOML subset. `file` names the source in messages; `table` is the one table
/// name accepted ("[acquire]"). Throws UsageError for malformed lines and repeated keys.
std::vector<ConfigEntry> parse_config(std::istream& in, const std::string& file,
                                      const std::string& table);

/// Sets every option of `app` the entries name that has no value from the command line yet,
/// then runs its validators. Throws UsageError (unknown key, the --config option itself,
/// a rejected value).
void apply_config(CLI::App& app, const std::vector<ConfigEntry>& entries, const std::string& file);

/// parse_config + apply_config for the file at `path` (table: the app's name). Throws
/// UsageError when the file cannot be read.
void apply_config_file(CLI::App& app, const std::string& path);

}  // namespace daq::cli
