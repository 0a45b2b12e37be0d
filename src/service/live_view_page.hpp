// live_view_page.hpp — the live view page (live_view_page.html: HTML, CSS and JavaScript in one
// file, no external resources), embedded in the binary at build time by embed_text.cmake.
#pragma once

#include <string_view>

namespace daq::service {

extern const std::string_view kLiveViewPage;

}  // namespace daq::service
