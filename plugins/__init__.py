"""Built-in plugins of Photo Annotator (captioners, embedders).

They load through the same hooks and checks as third-party plugins (entry-point group
``photo_annotator``) and import from the app only the public plugin API, ``desktop_app.plugin_api``,
so the built-ins prove it. ``DEFAULT_PLUGINS`` lists their modules.
"""

DEFAULT_PLUGINS: tuple[str, ...] = ("plugins.encoder_decoder", "plugins.medical_report", "plugins.generic",
                                   "plugins.alt_text", "plugins.product_description", "plugins.minilm",
                                   "plugins.clip", "plugins.caption_tagger")
