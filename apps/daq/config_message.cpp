#include "config_message.hpp"

#include <charconv>
#include <string>
#include <vector>

#include "exit_codes.hpp"

namespace daq::cli {
namespace {

using google::protobuf::FieldDescriptor;

template <class Number>
Number parse_number(std::string_view key, std::string_view text) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw UsageError("--set " + std::string(key) + ": '" + std::string(text) +
                     "' is not a number of the field's type");
  }
  return value;
}

std::string known_keys(const google::protobuf::Descriptor& message) {
  std::string keys;
  for (int i = 0; i < message.field_count(); ++i) {
    keys += (i == 0 ? "" : ", ") + message.field(i)->name();
  }
  return keys;
}

void set_roi(v1::AcquisitionConfig& config, std::string_view key, std::string_view text) {
  std::vector<std::uint32_t> values;
  while (!text.empty()) {
    const auto comma = text.find(',');
    values.push_back(parse_number<std::uint32_t>(key, text.substr(0, comma)));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  if (values.size() != 4) {
    throw UsageError("--set roi: give x,y,width,height (4 numbers, got " +
                     std::to_string(values.size()) + ")");
  }
  v1::Roi& roi = *config.mutable_roi();
  roi.set_x(values[0]);
  roi.set_y(values[1]);
  roi.set_width(values[2]);
  roi.set_height(values[3]);
}

}  // namespace

void set_config_field(v1::AcquisitionConfig& config, std::string_view assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string_view::npos) {
    throw UsageError("--set: '" + std::string(assignment) + "' is not KEY=VALUE");
  }
  std::string key(assignment.substr(0, equals));
  for (char& c : key) c = c == '-' ? '_' : c;
  const std::string_view value = assignment.substr(equals + 1);
  const google::protobuf::Descriptor& descriptor = *v1::AcquisitionConfig::descriptor();
  const FieldDescriptor* field = descriptor.FindFieldByName(key);
  if (field == nullptr) {
    throw UsageError("--set: unknown key '" + key + "' (one of " + known_keys(descriptor) + ")");
  }
  const google::protobuf::Reflection& reflection = *config.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_UINT32:
      reflection.SetUInt32(&config, field, parse_number<std::uint32_t>(key, value));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      reflection.SetUInt64(&config, field, parse_number<std::uint64_t>(key, value));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      reflection.SetDouble(&config, field, parse_number<double>(key, value));
      break;
    case FieldDescriptor::CPPTYPE_STRING:
      reflection.SetString(&config, field, std::string(value));
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE:  // roi, the one message field
      set_roi(config, key, value);
      break;
    default:
      throw UsageError("--set " + key + ": this field cannot be set from text");
  }
}

}  // namespace daq::cli
