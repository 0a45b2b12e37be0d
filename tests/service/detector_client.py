"""A daq.v1.Detector client for the tests, from Debian's python3-grpcio and python3-protobuf
only: the message classes are generated at build time with `protoc --python_out` (the directory
is the second argument of every scenario), the methods are called by their full names."""
import grpc

import detector_pb2 as pb  # noqa: F401  (re-exported for the scenarios)

# method → (request class, reply class, streaming reply)
METHODS = {
    "GetInfo": (pb.GetInfoRequest, pb.DetectorInfo, False),
    "GetConfig": (pb.GetConfigRequest, pb.AcquisitionConfig, False),
    "SetConfig": (pb.AcquisitionConfig, pb.AcquisitionConfig, False),
    "Start": (pb.StartRequest, pb.StartReply, False),
    "Stop": (pb.StopRequest, pb.StopReply, False),
    "Abort": (pb.AbortRequest, pb.AbortReply, False),
    "GetStatus": (pb.GetStatusRequest, pb.Status, False),
    "WatchStatus": (pb.WatchStatusRequest, pb.Status, True),
    "WaitIdle": (pb.WaitIdleRequest, pb.WaitIdleReply, False),
    "GetLatestImage": (pb.GetLatestImageRequest, pb.Image, False),
    "StreamImages": (pb.StreamImagesRequest, pb.Image, True),
}


class Detector:
    """detector.Start(file="a.h5") → StartReply; raises grpc.RpcError on a refusal."""

    def __init__(self, address, token=None):
        self.channel = grpc.insecure_channel(address)
        self.metadata = [("authorization", f"Bearer {token}")] if token else None

    def close(self):
        self.channel.close()

    def __getattr__(self, name):
        request_class, reply_class, streaming = METHODS[name]
        factory = self.channel.unary_stream if streaming else self.channel.unary_unary
        call = factory(f"/daq.v1.Detector/{name}",
                       request_serializer=request_class.SerializeToString,
                       response_deserializer=reply_class.FromString)

        def invoke(request=None, timeout=60, **fields):
            return call(request if request is not None else request_class(**fields),
                        timeout=timeout, metadata=self.metadata)
        return invoke


def expect_error(code, fn, *args, mentions=None, **kwargs):
    """Calls fn; asserts it fails with `code` (and that the message names `mentions`)."""
    try:
        fn(*args, **kwargs)
    except grpc.RpcError as e:
        assert e.code() == code, f"expected {code}, got {e.code()}: {e.details()}"
        if mentions is not None:
            assert mentions in e.details(), f"'{mentions}' not in '{e.details()}'"
        return e.details()
    raise AssertionError(f"expected {code}, the call succeeded")
