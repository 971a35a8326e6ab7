"""A captioner that kills the process it runs in, for the cluster's fault tests (test_cluster_faults.py).

Its model is a folder: while the file ``die-once`` is there, the first batch that finds it deletes it and
ends the process (an actor killed mid-job, once); a photo POISON_WIDTH pixels wide ends the process every
time it is captioned (a photo that crashes its model); with the file ``fail-load`` there, ``load`` raises
LOAD_ERROR. Other photos get a caption that names their size.
"""

import os
import time
from pathlib import Path

from desktop_app.plugin_api import Captioner, CaptionerKind, CaptionResult, hookimpl

DIE_ONCE = "die-once"
FAIL_LOAD = "fail-load"
LOAD_ERROR = "the dying captioner's weights are damaged"
POISON_WIDTH = 61


class DyingCaptioner(Captioner):
    id = "dying"
    name = "Dying"
    description = "Ends its process once when told to, and on every photo 61 pixels wide."
    kind = CaptionerKind.CAPTION
    default_model = "test/dying"

    def load(self, device, dtype):
        if (Path(self.model) / FAIL_LOAD).exists():
            raise RuntimeError(LOAD_ERROR)

    def unload(self):
        pass

    def caption(self, images, options):
        started = time.perf_counter()
        if any(image.width == POISON_WIDTH for image in images):
            os._exit(3)
        try:
            (Path(self.model) / DIE_ONCE).unlink()  # one process wins the marker
        except FileNotFoundError:
            pass
        else:
            os._exit(3)
        return [CaptionResult(f"a photo of {image.width} by {image.height} pixels", 0.9, self.model, None,
                              None, time.perf_counter() - started) for image in images]


@hookimpl
def register_captioners(register):
    register(DyingCaptioner())
