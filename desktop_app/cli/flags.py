"""`photo-annotator flags`: what needs a second look in a photo's captions (`flags PHOTO [--json]`),
flagging the existing captions again after the rules changed (`flags --recheck`), and where the rule
files are (`flags --rules`). The rules: resources/flag-rules/<lang>.toml, overridden by the user's own
file in the config folder (desktop_app/flagging)."""

from __future__ import annotations

import click

from desktop_app.cli.common import db_option, echo, emit_json, json_option, open_db


@click.command()
@click.argument("photo", required=False)
@click.option("--recheck", is_flag=True,
              help="Flag every model-written or imported caption again with the current rules (after "
                   "editing them); captions a person edited stay unflagged.")
@click.option("--rules", "list_rules", is_flag=True,
              help="List the rule files in use (shipped and yours) and their rules.")
@json_option
@db_option
def flags(photo: str | None, recheck: bool, list_rules: bool, as_json: bool, db: str | None) -> None:
    """Show the flags of PHOTO's captions (its path or its id): words an editor should check before
    approving (a guess about a person, an outdated term, a product claim, medical certainty, personal
    data), each with the rule's reason. `approve` of a flagged caption needs --confirm-flags.

    JSON: one object per caption: caption_id, kind, current, state, revision, text, confirmed (an
    editor approved these flags), flags (rule, category, start, end, text, reason).
    """
    from desktop_app.flagging import FlagRulesError

    if sum((photo is not None, recheck, list_rules)) != 1:
        raise click.UsageError("give a PHOTO, --recheck or --rules (one of them)")
    try:
        if list_rules:
            _list_rules(as_json)
        elif recheck:
            _recheck(db, as_json)
        else:
            assert photo is not None
            _show(photo, db, as_json)
    except FlagRulesError as error:
        raise click.ClickException(f"flag rules: {error}") from None


def _show(photo: str, db: str | None, as_json: bool) -> None:
    from desktop_app.catalogue.photos import display_path
    from desktop_app.services.flags import photo_flags

    path, found = photo_flags(open_db(db), photo)
    if as_json:
        for caption in found:
            emit_json(caption.to_json())
        return
    echo(display_path(path))
    flagged = [caption for caption in found if caption.flags]
    if not flagged:
        echo("  nothing flagged")
    for caption in flagged:
        status = ", flags confirmed" if caption.confirmed else ""
        where = "current" if caption.current else "other"
        echo(f"  caption {caption.caption_id} ({caption.kind}, {where}, {caption.state}{status}): "
             f"{caption.text}")
        for flag in caption.flags:
            echo(f"    {flag.start}-{flag.end} {flag.text!r} ({flag.category}, {flag.rule}): {flag.reason}")


def _recheck(db: str | None, as_json: bool) -> None:
    from desktop_app.services.flags import recheck

    report = recheck(open_db(db))
    if as_json:
        emit_json(report.to_json())
        return
    meanings = ", with meanings" if report.meanings else ""
    echo(f"checked {report.checked} caption(s) with the {', '.join(report.languages)} rules{meanings}: "
         f"{report.changed} changed, {report.flagged} flagged now")


def _list_rules(as_json: bool) -> None:
    from desktop_app.flagging import load_rules
    from desktop_app.flagging.rules import user_dir
    from desktop_app.settings import load_settings

    rules = load_rules(load_settings().review.flag_languages, strict=True)
    if as_json:
        emit_json({"languages": list(rules.languages), "files": list(rules.sources),
                   "user_folder": str(user_dir()),
                   "rules": [{"id": rule.id, "language": rule.language, "category": rule.category,
                              "captioners": list(rule.captioners), "reason": rule.reason}
                             for rule in rules.rules]})
        return
    echo(f"rule files: {', '.join(rules.sources) or 'none'}")
    echo(f"your own rules go in: {user_dir()}/<language>.toml (same id: replaces the shipped rule)")
    for rule in rules.rules:
        where = "" if rule.captioners == ("any",) else f" [{', '.join(rule.captioners)}]"
        echo(f"  {rule.language} {rule.id} ({rule.category}){where}: {rule.reason}")
