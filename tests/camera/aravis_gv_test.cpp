// AravisSource against the real fake GigE Vision camera over UDP on 127.0.0.1.
#include <gtest/gtest.h>

#include "daq/camera/aravis_camera.hpp"
#include "fake_gv_camera.hpp"
