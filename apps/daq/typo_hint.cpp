#include "typo_hint.hpp"

#include <algorithm>
#include <numeric>

namespace daq::cli {
namespace {

std::string_view without_dashes(std::string_view word) {
  return word.substr(std::min(word.find_first_not_of('-'), word.size()));
}

/// Every long and short flag of `app` as typed ("--frames", "-v"), help included.
std::vector<std::string> flag_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options()) {
    for (const std::string& name : opt->get_lnames()) names.push_back("--" + name);
    for (const std::string& name : opt->get_snames()) names.push_back("-" + name);
  }
  return names;
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

std::string hint(const std::optional<std::string>& nearest, const std::string& help) {
  return nearest ? " (did you mean " + *nearest + "?)" : " (see " + help + " --help)";
}

}  // namespace

std::size_t typo_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: three rows of the Levenshtein table suffice.
  std::vector<std::size_t> before(b.size() + 1);
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::optional<std::string> nearest_name(std::string_view typed,
                                        const std::vector<std::string>& names) {
  const std::size_t length = without_dashes(typed).size();
  if (length < 3) return std::nullopt;  // "-x" is one edit from every short flag
  const std::size_t allowed = std::max<std::size_t>(1, length / 3);
  std::optional<std::string> best;
  std::size_t best_distance = allowed + 1;
  for (const std::string& name : names) {
    const std::size_t distance = typo_distance(typed, name);
    if (distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  return best;
}

std::optional<std::string> unknown_word_error(const CLI::App& root) {
  const std::vector<std::string> words = root.remaining(true);
  if (words.empty()) return std::nullopt;
  const auto flag = std::find_if(words.begin(), words.end(),
                                 [](const std::string& w) { return w.size() > 1 && w[0] == '-'; });
  const std::vector<CLI::App*> chosen = root.get_subcommands();
  const CLI::App& app = chosen.empty() ? root : *chosen.front();
  const std::string who = chosen.empty() ? root.get_name() : root.get_name() + " " + app.get_name();
  if (flag != words.end()) {
    const std::string typed = flag->substr(0, flag->find('='));  // --framse=3
    std::vector<std::string> names = flag_names(app);
    if (&app != &root) {
      const std::vector<std::string> global = flag_names(root);
      names.insert(names.end(), global.begin(), global.end());
    }
    return who + ": error: unknown option " + typed + hint(nearest_name(typed, names), who);
  }
  if (chosen.empty()) {
    return who + ": error: unknown command '" + words.front() + "'" +
           hint(nearest_name(words.front(), subcommand_names(root)), who);
  }
  return who + ": error: unexpected argument '" + words.front() +
         "' (options take the form --name value; see " + who + " --help)";
}

}  // namespace daq::cli
