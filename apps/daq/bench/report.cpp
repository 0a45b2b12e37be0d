#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>

namespace daq::cli::bench {
namespace {

// An info entry's number in the header: integers plain, others to 9 significant digits.
std::string header_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

std::string padded(const std::string& text, std::size_t width, bool right) {
  const std::string fill(width > text.size() ? width - text.size() : 0, ' ');
  return right ? fill + text : text + fill;
}

}  // namespace

std::string format_figure(double value) {
  char text[32];
  const double magnitude = std::fabs(value);
  if (magnitude >= 100.0 || value == 0.0) {
    std::snprintf(text, sizeof text, "%.0f", value);
  } else if (magnitude >= 10.0) {
    std::snprintf(text, sizeof text, "%.1f", value);
  } else if (magnitude >= 1.0) {
    std::snprintf(text, sizeof text, "%.2f", value);
  } else {
    std::snprintf(text, sizeof text, "%.3g", value);
  }
  return text;
}

void Report::add(std::vector<Object>& list, const std::string& object, const std::string& key,
                 Value value) {
  const std::string address = object + "." + key;
  if (const double* number = std::get_if<double>(&value); number && !std::isfinite(*number)) {
    throw std::logic_error("bench: figure " + address + " is not finite");
  }
  for (const std::vector<Object>* known : {&info_, &figures_}) {
    for (const Object& o : *known) {
      if (o.name != object) continue;
      for (const auto& entry : o.entries) {
        if (entry.first == key) throw std::logic_error("bench: figure " + address + " added twice");
      }
    }
  }
  auto it =
      std::find_if(list.begin(), list.end(), [&](const Object& o) { return o.name == object; });
  if (it == list.end()) it = list.insert(list.end(), Object{object, {}});
  it->entries.emplace_back(key, std::move(value));
}

void Report::info(const std::string& object, const std::string& key, std::string value) {
  add(info_, object, key, std::move(value));
}

void Report::info(const std::string& object, const std::string& key, double value) {
  add(info_, object, key, value);
}

void Report::table(std::string title, std::vector<std::string> columns) {
  tables_.push_back({std::move(title), std::move(columns), {}, {}});
}

void Report::row(std::string label, std::vector<Cell> cells) {
  if (tables_.empty()) throw std::logic_error("bench: row '" + label + "' before any table");
  Table& t = tables_.back();
  if (cells.size() > t.columns.size()) {
    throw std::logic_error("bench: row '" + label + "' has more cells than columns");
  }
  Row r{std::move(label), {}};
  for (const Cell& cell : cells) {
    if (cell.key.empty()) {
      r.cells.emplace_back();
      continue;
    }
    add(figures_, cell.object, cell.key, cell.value);
    r.cells.push_back(format_figure(cell.value));
  }
  t.rows.push_back(std::move(r));
}

void Report::note(std::string text) {
  if (tables_.empty()) throw std::logic_error("bench: note before any table");
  tables_.back().notes.push_back(std::move(text));
}

void Report::print(std::ostream& out) const {
  for (const Object& o : info_) {
    out << padded(o.name + ":", 9, false);
    const char* separator = "";
    for (const auto& [key, value] : o.entries) {
      out << separator << key << " ";
      if (const auto* text = std::get_if<std::string>(&value)) {
        out << (text->empty() ? "-" : *text);
      } else {
        out << header_number(std::get<double>(value));
      }
      separator = ", ";
    }
    out << "\n";
  }
  for (const Table& t : tables_) {
    std::size_t label_width = 0;
    for (const Row& r : t.rows) label_width = std::max(label_width, r.label.size());
    std::vector<std::size_t> widths;
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      std::size_t w = t.columns[c].size();
      for (const Row& r : t.rows) {
        if (c < r.cells.size()) w = std::max(w, r.cells[c].size());
      }
      widths.push_back(w);
    }
    out << "\n" << t.title << "\n  " << padded("", label_width, false);
    for (std::size_t c = 0; c < t.columns.size(); ++c)
      out << "  " << padded(t.columns[c], widths[c], true);
    out << "\n";
    for (const Row& r : t.rows) {
      out << "  " << padded(r.label, label_width, false);
      for (std::size_t c = 0; c < t.columns.size(); ++c) {
        out << "  " << padded(c < r.cells.size() ? r.cells[c] : "", widths[c], true);
      }
      out << "\n";
    }
    for (const std::string& n : t.notes) out << "  " << n << "\n";
  }
}

std::string Report::json() const {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const std::vector<Object>* list : {&info_, &figures_}) {
    for (const Object& o : *list) {
      nlohmann::ordered_json& object = out[o.name];
      for (const auto& [key, value] : o.entries) {
        std::visit([&](const auto& v) { object[key] = v; }, value);
      }
    }
  }
  return out.dump(2) + "\n";
}

}  // namespace daq::cli::bench
