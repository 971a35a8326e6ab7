"""Captioners with fixed output, for registry tests (and a duplicate-id plugin built from them)."""

import time

from desktop_app.plugin_api import Captioner, CaptionerKind, CaptionResult, hookimpl


class FixedCaptioner(Captioner):
    id = "fixed"
    name = "Fixed text"
    description = "Says the same thing about every photo."
    kind = CaptionerKind.CAPTION
    default_model = "test/fixed"

    def load(self, device, dtype):
        pass

    def unload(self):
        pass

    def caption(self, images, options):
        started = time.perf_counter()
        return [CaptionResult("a photo", 1.0, self.model, None, None, time.perf_counter() - started)
                for _ in images]


@hookimpl
def register_captioners(register):
    register(FixedCaptioner())
