"""Built-in plugins of Photo Annotator (captioners, embedders).

They load through the same hooks and checks as third-party plugins (entry-point group
``photo_annotator``), so the built-ins prove the plugin API. ``DEFAULT_PLUGINS`` lists their
modules; the built-in captioners are being added to it.
"""

DEFAULT_PLUGINS: tuple[str, ...] = ("plugins.encoder_decoder", "plugins.medical_report", "plugins.generic",
                                   "plugins.product_description", "plugins.minilm", "plugins.clip")
