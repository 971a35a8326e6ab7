"""The alt-text captioner: drafts of a photo's alt text (IPTC Photo Metadata 2021.1's Alt Text
(Accessibility), ``Iptc4xmpCore:AltTextAccessibility``), reviewed like any caption.

A draft comes from the generic captioner's model and options (Florence-2's short caption by default, or
BLIP), made into alt text by the alt-text rules (``alt_text_from``: at most 250 characters, cut at a
sentence or a word, no "image of" or "there is" before the subject, a capital and a full stop). Its
``caption_kind`` is "alt-text": the draft is the photo's alt text, never its description.

A photo whose description an editor has approved is not captioned at all: the job that runs this
captioner makes its alt-text draft from that description by the same rules (model "alt-text rules"),
so the approved words, not a model's, are what a screen reader reads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from desktop_app.plugin_api import CaptionResult, alt_text_from, hookimpl
from plugins.generic import GenericCaptioner


class AltTextCaptioner(GenericCaptioner):
    id = "alt-text"
    name = "Alt text"
    description = (
        "Alt text (IPTC Alt Text (Accessibility)) for screen readers: from the photo's approved description "
        "when it has one, else from the generic captioner's short caption, by the alt-text rules "
        "(at most 250 characters, the subject first)."
    )
    caption_kind = "alt-text"

    def caption(self, images: Sequence[Any], options: dict[str, Any]) -> list[CaptionResult]:
        # The model's token scores stay: the rules only drop framing words and tidy the ends.
        return [dataclasses.replace(result, text=alt_text_from(result.text) or result.text)
                for result in super().caption(images, options)]


@hookimpl
def register_captioners(register):  # type: ignore[no-untyped-def]
    register(AltTextCaptioner())
