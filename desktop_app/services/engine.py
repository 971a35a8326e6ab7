"""Build the captioning engine from the settings: device, number format, batch size and the model chosen
for each captioner. Explicit arguments (a command's --device, --dtype, --batch-size, --decode-workers,
--prefetch) win over them."""

from __future__ import annotations

from desktop_app.captioning.engine import CaptionEngine
from desktop_app.plugin_registry import PluginRegistry, load_plugins
from desktop_app.settings import Settings, load_settings


def build_engine(settings: Settings | None = None, *, registry: PluginRegistry | None = None,
                 device: str | None = None, dtype: str | None = None,
                 batch_size: int | None = None, decode_workers: int | None = None,
                 prefetch: int | None = None) -> CaptionEngine:
    """The engine as ``settings`` (default: the user's, read now) say, with the arguments given
    overriding them; ``registry`` defaults to the installed plugins."""
    settings = settings or load_settings()
    engine = settings.engine
    return CaptionEngine(registry or load_plugins(), device=device or engine.device,
                         dtype=dtype or engine.dtype, batch_size=batch_size or engine.batch_size,
                         decode_workers=decode_workers or engine.decode_workers,
                         prefetch=prefetch or engine.prefetch_batches,
                         models=dict(settings.captioner_models))
