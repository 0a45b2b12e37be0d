// Report: the figures of one `daq bench` run, printed as tables and written as JSON.
//
// A figure is a number with a stable JSON address `object.key` (e.g. after.allocs_per_sec);
// tables only arrange figures for reading. The JSON is one object of objects, in the order the
// figures were added: {"machine": {...}, "before": {"allocs_per_sec": 12.5, ...}, ...}.
// Misuse: a figure that is not finite, or an address used twice, throws std::logic_error naming
// the address (a broken measurement must fail the run, not print "nan").
// Thread-safety: none (one thread builds and prints the report). Allocation: as it grows.
#pragma once

#include <iosfwd>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace daq::cli::bench {

/// One table cell: the figure `object.key` = value. An empty key is a blank cell.
struct Cell {
  std::string object;
  std::string key;
  double value = 0.0;

  static Cell blank() { return {}; }
};

class Report {
 public:
  /// A descriptive entry (machine, build, run); not part of any table.
  void info(const std::string& object, const std::string& key, std::string value);
  void info(const std::string& object, const std::string& key, double value);

  /// Starts a table; rows and notes go to the latest table.
  void table(std::string title, std::vector<std::string> columns);
  /// A row: its label, then its cells under the columns (fewer cells leave the rest blank).
  void row(std::string label, std::vector<Cell> cells);
  /// A line printed under the latest table (what the figures measure, what limits them).
  void note(std::string text);

  /// The header (info entries) and every table.
  void print(std::ostream& out) const;
  /// Every info entry and figure as one JSON object of objects.
  std::string json() const;

 private:
  using Value = std::variant<std::string, double>;
  struct Object {
    std::string name;
    std::vector<std::pair<std::string, Value>> entries;
  };
  struct Row {
    std::string label;
    std::vector<std::string> cells;  // formatted values
  };
  struct Table {
    std::string title;
    std::vector<std::string> columns;
    std::vector<Row> rows;
    std::vector<std::string> notes;
  };

  void add(std::vector<Object>& list, const std::string& object, const std::string& key,
           Value value);

  std::vector<Object> info_;
  std::vector<Object> figures_;
  std::vector<Table> tables_;
};

/// A figure for a table cell: 3 significant digits, plain notation ("0.0312", "41.7", "5120").
std::string format_figure(double value);

}  // namespace daq::cli::bench
