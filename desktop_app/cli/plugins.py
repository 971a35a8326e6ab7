"""`photo-annotator plugins`: what is installed, what loaded, and what it offers."""

from __future__ import annotations

import click

from desktop_app.cli.common import echo, emit_json, json_option


@click.command()
@json_option
def plugins(as_json: bool) -> None:
    """List plugins (version, status, error) and the captioners, embedders and taggers they offer.

    JSON lines: one {"type": "hook", ...} object per hook (with the plugins implementing it), one
    {"type": "plugin", ...} object per plugin, then one {"type": "captioner", ...},
    {"type": "embedder", ...} or {"type": "tagger", ...} object per model, each with its "plugin".
    """
    from desktop_app.plugin_registry import hook_names, load_plugins

    registry = load_plugins()
    owner = {(kind, model): info.name for info in registry.plugins
             for kind in ("captioners", "embedders", "taggers") for model in getattr(info, kind)}
    implementers = {hook: [info.name for info in registry.plugins if hook in info.hooks]
                    for hook in hook_names()}
    if as_json:
        for hook, names in implementers.items():
            emit_json({"type": "hook", "name": hook, "plugins": names})
        for info in registry.plugins:
            emit_json({"type": "plugin", **info.to_json()})
        for captioner in registry.captioners.values():
            emit_json({"type": "captioner", "plugin": owner[("captioners", captioner.id)],
                       **captioner.describe()})
        for embedder in registry.embedders.values():
            emit_json({"type": "embedder", "plugin": owner[("embedders", embedder.id)],
                       **embedder.describe()})
        for tagger in registry.taggers.values():
            emit_json({"type": "tagger", "plugin": owner[("taggers", tagger.id)], **tagger.describe()})
        return
    echo("Hooks:")
    for hook, names in implementers.items():
        echo(f"  {hook}: {', '.join(names) or 'no plugin yet'}")
    echo("Plugins:" if registry.plugins else "No plugins installed.")
    for info in registry.plugins:
        version = f" {info.version}" if info.version else ""
        detail = f": {info.error}" if info.error else ""
        echo(f"  {info.name}{version} ({info.source}) {info.status}{detail}")
    if registry.captioners:
        echo("Captioners:")
        for captioner in registry.captioners.values():
            writes = f"  (writes {captioner.caption_kind})" if captioner.caption_kind != "description" else ""
            echo(f"  {captioner.id:<22} {captioner.kind.value:<20} {captioner.default_model}{writes}")
    if registry.embedders:
        echo("Embedders:")
        for embedder in registry.embedders.values():
            echo(f"  {embedder.id:<22} {embedder.dimension:>5}-d  {embedder.default_model}")
    if registry.taggers:
        echo("Taggers:")
        for tagger in registry.taggers.values():
            reads = "+".join(sorted(i.value for i in tagger.inputs))
            echo(f"  {tagger.id:<22} {reads:<20} {tagger.default_model or '-'}")
