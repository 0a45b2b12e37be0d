"""MMCore: the camera part of Micro-Manager's core (pymmcore's CMMCore), over daq.Camera.

Method names are pymmcore's in snake_case; the semantics are MMCore's:

* ``snap_image()`` exposes one frame and waits for it; ``get_image()`` returns it (a copy).
* ``start_sequence_acquisition(n, interval_ms, stop_on_overflow)`` acquires ``n`` frames into a
  circular buffer of ``buffer_frames`` images; ``start_continuous_sequence_acquisition`` runs
  until ``stop_sequence_acquisition()``.
* ``pop_next_image()`` removes and returns the oldest image; ``get_last_image()`` returns the
  newest without removing it; ``get_remaining_image_count()`` counts the images in the buffer.
* When the buffer is full, ``stop_on_overflow=True`` stops the acquisition and
  ``is_buffer_overflowed()`` stays True; with False the buffer is cleared (its images are
  lost) and acquisition goes on, as MMCore's camera adapters do on overflow, which also clears
  the overflow flag.

Differences from pymmcore (docs/python.md): the buffer is sized in images (``buffer_frames``),
not megabytes; ``interval_ms`` is accepted but the camera's own ``fps`` sets the pace (most
Micro-Manager camera adapters ignore it too); errors are Python exceptions (IndexError for an
empty buffer, RuntimeError for a missing image), not CMMError.
"""

import collections
import threading

import numpy as np


class MMCore:
    def __init__(self, camera, buffer_frames=64):
        if buffer_frames < 1:
            raise ValueError(f"buffer_frames: at least 1, got {buffer_frames}")
        self._camera = camera
        self._capacity = buffer_frames
        self._images = collections.deque()
        self._lock = threading.Lock()
        self._added = threading.Condition(self._lock)
        self._overflowed = False
        self._snapped = None
        self._stream = None
        self._thread = None

    # --- single images ---------------------------------------------------------------------

    def snap_image(self):
        """Exposes one image and waits for it (get_image() returns it)."""
        if self.is_sequence_running():
            raise RuntimeError("snap_image: a sequence acquisition is running")
        with self._camera.stream(frames=1) as stream:
            for frame in stream:
                self._snapped = np.array(frame.array)
        if self._snapped is None:
            raise RuntimeError("snap_image: the camera delivered no image")

    def get_image(self):
        """The image of the last snap_image()."""
        if self._snapped is None:
            raise RuntimeError("get_image: no image was snapped")
        return self._snapped

    # --- sequences --------------------------------------------------------------------------

    def start_sequence_acquisition(self, num_images, interval_ms=0.0, stop_on_overflow=True):
        """Acquires num_images images into the circular buffer, in the background."""
        if num_images < 1:
            raise ValueError(f"num_images: at least 1, got {num_images}")
        self._start(self._camera.stream(frames=num_images), stop_on_overflow)

    def start_continuous_sequence_acquisition(self, interval_ms=0.0):
        """Acquires until stop_sequence_acquisition(); overflow clears the buffer."""
        self._start(self._camera.stream(), stop_on_overflow=False)

    def stop_sequence_acquisition(self):
        """Stops the running sequence; images already in the buffer stay."""
        stream, thread = self._stream, self._thread
        if stream is not None:
            stream.stop()
        if thread is not None:
            thread.join()

    def wait_for_sequence(self, timeout=None):
        """Waits until the sequence ended (an addition: pymmcore users poll)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def wait_for_image(self, timeout=None):
        """Waits until an image was added to the buffer (an addition, like wait_for_sequence)."""
        with self._added:
            self._added.wait(timeout)

    def is_sequence_running(self):
        return self._thread is not None and self._thread.is_alive()

    def get_remaining_image_count(self):
        with self._lock:
            return len(self._images)

    def get_last_image(self):
        """The newest image in the buffer, left there."""
        with self._lock:
            if not self._images:
                raise IndexError("get_last_image: the circular buffer is empty")
            return self._images[-1]

    def pop_next_image(self):
        """The oldest image in the buffer, removed from it."""
        with self._lock:
            if not self._images:
                raise IndexError("pop_next_image: the circular buffer is empty")
            return self._images.popleft()

    def is_buffer_overflowed(self):
        return self._overflowed

    def clear_circular_buffer(self):
        with self._lock:
            self._images.clear()
            self._overflowed = False

    # --- the acquisition thread -------------------------------------------------------------

    def _start(self, stream, stop_on_overflow):
        if self.is_sequence_running():
            raise RuntimeError("a sequence acquisition is already running")
        self.clear_circular_buffer()
        stream.start()
        self._stream = stream
        self._thread = threading.Thread(
            target=self._run, args=(stream, stop_on_overflow), name="daq-mmcore", daemon=True
        )
        self._thread.start()

    def _run(self, stream, stop_on_overflow):
        with stream:
            for frame in stream:
                image = np.array(frame.array)  # the circular buffer holds copies, as MMCore's
                frame.release()
                with self._lock:
                    if len(self._images) >= self._capacity:
                        if stop_on_overflow:
                            self._overflowed = True
                            break
                        self._images.clear()
                    self._images.append(image)
                    self._added.notify_all()
