#include "daq/service/file_template.hpp"

#include <array>
#include <cctype>
#include <cstdio>

#include "daq/service/service_error.hpp"

namespace daq::service {
namespace {

[[noreturn]] void bad_template(std::string_view file_template, const std::string& why) {
  throw ServiceError(ErrorCode::invalid_argument,
                     "file_template: '" + std::string(file_template) + "': " + why);
}

/// Up to two digits at `i`; advances `i`.
void skip_number(std::string_view text, std::size_t& i, std::string_view file_template) {
  std::size_t digits = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
    ++i;
    if (++digits > 2) bad_template(file_template, "width or precision above 99");
  }
}

}  // namespace

std::string format_file_template(std::string_view file_template, std::string_view file_path,
                                 std::string_view file_name, std::uint32_t file_number) {
  static constexpr std::array<char, 3> kExpected = {'s', 's', 'd'};
  std::string out;
  std::size_t conversion = 0;
  for (std::size_t i = 0; i < file_template.size(); ++i) {
    if (file_template[i] != '%') {
      out += file_template[i];
      continue;
    }
    const std::size_t start = i++;
    if (i < file_template.size() && file_template[i] == '%') {
      out += '%';
      continue;
    }
    while (i < file_template.size() &&
           std::string_view("-0+ ").find(file_template[i]) != std::string_view::npos) {
      ++i;
    }
    skip_number(file_template, i, file_template);
    if (i < file_template.size() && file_template[i] == '.')
      skip_number(file_template, ++i, file_template);
    if (i >= file_template.size()) bad_template(file_template, "ends inside a conversion");
    char type = file_template[i];
    if (type == 'i' || type == 'u') type = 'd';
    if (conversion >= kExpected.size()) {
      bad_template(file_template, "more than three conversions (%s%s%d)");
    }
    if (type != kExpected[conversion]) {
      bad_template(file_template, std::string("conversion ") + std::to_string(conversion + 1) +
                                      " must be %" + kExpected[conversion]);
    }
    std::string spec(file_template.substr(start, i - start));
    std::array<char, 160> piece{};
    if (type == 's') {
      const std::string text(conversion == 0 ? file_path : file_name);
      spec += 's';
      const int n = std::snprintf(nullptr, 0, spec.c_str(), text.c_str());
      std::string formatted(static_cast<std::size_t>(n) + 1, '\0');
      std::snprintf(formatted.data(), formatted.size(), spec.c_str(), text.c_str());
      formatted.pop_back();
      out += formatted;
    } else {
      spec += 'u';
      const int n = std::snprintf(piece.data(), piece.size(), spec.c_str(),
                                  static_cast<unsigned>(file_number));
      out.append(piece.data(), static_cast<std::size_t>(n));
    }
    ++conversion;
  }
  return out;
}

}  // namespace daq::service
