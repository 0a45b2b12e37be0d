# cmake -DINPUT=page.html -DOUTPUT=page.cpp -DHEADER=name.hpp -DSYMBOL=kName -P embed_text.cmake
# Writes a C++ file defining `const std::string_view SYMBOL` (namespace daq::service) with the
# text of INPUT, as a raw string literal.
file(READ "${INPUT}" text)
string(FIND "${text}" ")daq_embedded\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter )daq_embedded\"")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by embed_text.cmake; do not edit.\n"
  "#include \"${HEADER}\"\n\n"
  "namespace daq::service {\n\n"
  "const std::string_view ${SYMBOL} = R\"daq_embedded(${text})daq_embedded\";\n\n"
  "}  // namespace daq::service\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
