// daq/service/file_template.hpp — areaDetector-style file names: the template is a printf
// format applied to (file_path, file_name, file_number), e.g. "%s%s_%6.6d.h5" with ("run/",
// "scan", 7) gives "run/scan_000007.h5" (ophyd and EPICS areaDetector's FileTemplate).
//
// Only that argument list is accepted: the conversions, in order, must be a prefix of
// %s, %s, %d (flags "-0+ ", a width and a precision of at most 2 digits each, %i and %u as
// %d); "%%" is a literal '%'. Anything else (another conversion, '*', a length modifier, a
// fourth conversion) throws ServiceError(invalid_argument) naming `file_template` — the
// template never reaches printf itself.
//
// Thread-safety: a pure function. Allocation: the result string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace daq::service {

std::string format_file_template(std::string_view file_template, std::string_view file_path,
                                 std::string_view file_name, std::uint32_t file_number);

}  // namespace daq::service
