#include "measure.hpp"

#include <cmath>
#include <stdexcept>

namespace daq::cli::bench {

double quantile(std::vector<double>& samples, double q) {
  if (samples.empty()) return 0.0;
  const double last = static_cast<double>(samples.size() - 1);
  const auto rank = static_cast<std::size_t>(std::ceil(std::clamp(q, 0.0, 1.0) * last));
  const auto nth = samples.begin() + static_cast<std::ptrdiff_t>(rank);
  std::nth_element(samples.begin(), nth, samples.end());
  return *nth;
}

double median(std::vector<double> values) { return quantile(values, 0.5); }

double ratio(double numerator, double denominator, const char* what) {
  if (!(denominator > 0.0)) {
    throw std::runtime_error(std::string("bench: ") + what + ": the baseline measured nothing");
  }
  return numerator / denominator;
}

}  // namespace daq::cli::bench
