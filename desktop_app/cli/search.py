"""`photo-annotator search`: find photos by what their captions say."""

from __future__ import annotations

from datetime import date

import click
from click.core import ParameterSource

from desktop_app.cli.common import db_option, echo, emit_json, json_option, open_db

MODES = ("hybrid", "keyword", "semantic", "image")  # desktop_app.search.results.SearchMode, hybrid first
ORIGINS = ("ai", "human", "imported")  # desktop_app.catalogue.models.CaptionOrigin
KINDS = ("description", "alt-text", "extended-description")  # desktop_app.catalogue.models.CaptionKind
PREVIEW_CHARS = 200  # a caption shown without a snippet (found by meaning) is cut here in text output


class _SearchCommand(click.Command):
    """A query word starting with "-" reads as an option to the shell and to click: say how to search
    for it instead of only "no such option"."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # click's parser consumes the list
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            typed = next((arg for arg in given if arg.startswith(exc.option_name)), exc.option_name)
            if typed.startswith("--"):
                raise  # a mistyped option, not a word
            word = typed[1:]
            hint = (f"to leave out captions holding \"{word}\", put the query after --, as in "
                    f"`photo-annotator search -- WORDS -{word}`, or write NOT {word}")
            raise click.UsageError(f"no such option: {typed} ({hint})", ctx) from exc


@click.command(cls=_SearchCommand)
@click.argument("query", nargs=-1, required=True)
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True,
              help="keyword: the words themselves (\"phrases\", prefix*, AND/OR/NOT, -word); semantic: "
                   "by meaning; hybrid: both, fused; image: photos by their pixels, captioned or not, "
                   "with an image-text embedder (--embedder clip, after `embed --photos`).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="At most N photos.")
@click.option("--state", type=click.Choice(["any", "approved", "draft", "rejected"]), default="any",
              show_default=True, help="Search every caption, or only captions in this review state.")
@click.option("--library", metavar="PATH|ID", help="Only photos of this library.")
@click.option("--folder", metavar="PATH", help="Only photos in this folder and below: a path on disk, or a "
                                               "folder inside the library (e.g. 2021/paris).")
@click.option("--from", "taken_from", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Only photos taken on or after this day.")
@click.option("--to", "taken_to", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Only photos taken on or before this day.")
@click.option("--captioner", metavar="ID", help="Only captions written by this captioner.")
@click.option("--origin", type=click.Choice(ORIGINS), help="Only captions a model wrote, a person wrote, "
                                                            "or that were imported from the files.")
@click.option("--kind", "kinds", multiple=True, metavar="KIND[,KIND...]",
              callback=lambda _ctx, _param, values: _kinds(values),
              help="Which of each photo's current captions to search: description, alt-text, "
                   "extended-description (repeat the option or separate with commas; default: the "
                   "description and the alt text).")
@click.option("--keyword", "terms", multiple=True, metavar="TERM",
              help="Only photos with this accepted keyword or a narrower one (a label or a synonym; repeat "
                   "for photos with all of them), in every mode.")
@click.option("--vocab", metavar="NAME", help="The vocabulary of --keyword's terms, where a label is in "
                                              "several.")
@click.option("--embedder", default="minilm", show_default=True,
              help="The text embedder semantic search uses.")
@click.option("--model", metavar="HUB_ID|FOLDER", help="The embedder's model instead of its default.")
@click.option("--device", default="auto", show_default=True, help="Where the embedder runs: cuda, mps, cpu.")
@json_option
@db_option
def search(query: tuple[str, ...], mode: str, limit: int, state: str, library: str | None, folder: str | None,
           taken_from: date | None, taken_to: date | None, captioner: str | None, origin: str | None,
           kinds: tuple[str, ...], terms: tuple[str, ...], vocab: str | None, embedder: str,
           model: str | None, device: str, as_json: bool,
           db: str | None) -> None:
    """Photos whose captions match QUERY, best first (the words of QUERY may be given unquoted): each
    photo's current description and alt text, or the kinds --kind names.

    QUERY: words (all required), "exact phrases", prefix*, AND / OR, and -word or NOT word to leave
    out captions holding a word. From a shell, a query with a -word goes after -- (options before
    it): `photo-annotator search --mode keyword -- cat -dog`, or write `cat NOT dog`.

    Each line: the score, how the photo was found (hybrid: words, meaning or both), its path, and the
    caption (with the matched words in [brackets]). Scores are 1.00 at best: keyword, relevance
    relative to the best match; semantic, the cosine similarity of query and caption; hybrid, the fused
    rank score (1.00: first by words and by meaning). JSON lines carry: photo_id, path, caption_id,
    caption, score, snippet, matched (words, keyword, meaning, both or pixels), kind (the kind of caption
    that matched: description, alt-text or extended-description). Notices go to stderr.

    A query word or "phrase" that is a keyword's label or synonym also finds, in keyword and hybrid
    search, the photos with that keyword accepted (or a narrower one), even when no caption says it:
    their snippet reads "keyword: LABEL", and they rank like caption matches of the word.

    A small catalogue (up to 500 captions without vectors) is embedded before its first search by
    meaning; a larger one needs `photo-annotator embed` first. Hybrid search answers by keyword, and
    says why, when search by meaning cannot run.
    """
    from desktop_app.catalogue.photos import display_path
    from desktop_app.cli.job_output import ProgressBar
    from desktop_app.plugin_registry import load_plugins
    from desktop_app.search.results import SearchMode
    from desktop_app.search.service import unknown_embedder
    from desktop_app.services.search import open_search, search_filters

    text = " ".join(query)
    registry = load_plugins()
    given = click.get_current_context().get_parameter_source("embedder") is not ParameterSource.DEFAULT
    if given and mode != "keyword" and (problem := unknown_embedder(registry, embedder)) is not None:
        raise click.BadParameter(problem, param_hint="--embedder")  # a typo: not a reason to answer by words
    catalogue = open_db(db)
    filters = search_filters(catalogue, library=library, folder=folder,
                             taken_from=taken_from.date() if taken_from else None,
                             taken_to=taken_to.date() if taken_to else None, state=state,
                             captioner=captioner, origin=origin, kinds=kinds, terms=terms, vocab=vocab)
    bar = ProgressBar("Embedding captions before the search")
    service = open_search(catalogue, registry, embedder_id=embedder, model=model, device=device,
                          progress=bar.update)
    try:
        result = service.search(text, SearchMode(mode), filters, limit)
    finally:
        bar.close()
        service.close()
    for notice in result.notices:
        echo(f"photo-annotator: note: {notice}", err=True)
    for hit in result.hits:
        if as_json:
            emit_json(hit.to_json())
            continue
        shown = hit.snippet or _preview(hit.caption)
        how = f"{hit.matched:<7}  " if result.mode is SearchMode.HYBRID and hit.matched else ""
        echo(f"{hit.score:4.2f}  {how}{display_path(hit.path)}  {shown}")  # echo shows control characters


def _kinds(values: tuple[str, ...]) -> tuple[str, ...]:
    """--kind's values, repeated or comma-separated, each checked; () when none was given."""
    kinds = [part.strip() for value in values for part in value.split(",") if part.strip()]
    for kind in kinds:
        if kind not in KINDS:
            raise click.BadParameter(f"{kind!r} is not one of {', '.join(KINDS)}", param_hint="--kind")
    return tuple(dict.fromkeys(kinds))


def _preview(text: str) -> str:
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"
