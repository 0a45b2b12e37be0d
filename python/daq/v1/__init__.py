"""The daq.v1 API's message classes: detector_pb2, generated at build time by protoc from
proto/daq/v1/detector.proto (python/CMakeLists.txt)."""
