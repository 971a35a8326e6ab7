"""The plugin API is documented and tested, name by name (in the manner of datasette's documentation
tests): every hook, every name in ``desktop_app.plugin_api.__all__`` and every contract method of
``Captioner``, ``Embedder`` and ``Tagger`` must be described in README's plugin sections and used by a test.

"Used by a test" means: the name appears in a test file (tests/, this file excluded) as a name or an
attribute in code (a call, an attribute access, a decorator, an ``except``), not only in an import;
for a hook, a sample plugin under tests/plugins implements it.
"""

from __future__ import annotations

import ast
import inspect
from functools import cache
from pathlib import Path

import pytest

import desktop_app.plugin_api as plugin_api
from desktop_app.plugin_api import Captioner, Embedder, Tagger, hookspecs

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"


@cache
def plugin_docs() -> str:
    """README from "Writing a plugin" through the "Plugin API changelog" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Writing a plugin\n")
    changelog = text.index("## Plugin API changelog\n", start)
    following = text.find("\n## ", changelog + 1)
    return text[start:following if following != -1 else len(text)]


@cache
def used_in_tests() -> frozenset[str]:
    """Every name and attribute used in code by the test files, this one excepted."""
    used: set[str] = set()
    for path in TESTS.rglob("*.py"):
        if path.resolve() == Path(__file__).resolve():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
    return frozenset(used)


@cache
def hooks_implemented_by_sample_plugins() -> frozenset[str]:
    found: set[str] = set()
    for path in (TESTS / "plugins").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                    isinstance(d, ast.Name) and d.id == "hookimpl" for d in node.decorator_list):
                found.add(node.name)
    return frozenset(found)


def hook_names() -> list[str]:
    return [name for name, function in vars(hookspecs).items()
            if inspect.isfunction(function) and hasattr(function, f"{hookspecs.PROJECT}_spec")]


def contract_methods(contract: type) -> list[str]:
    return [name for name, value in vars(contract).items()
            if not name.startswith("_") and inspect.isfunction(value)]


def test_the_lists_checked_here_are_not_empty() -> None:
    assert hook_names() == ["register_captioners", "register_embedders", "register_taggers"]
    assert {"caption", "prepare", "attention"} <= set(contract_methods(Captioner))
    assert {"embed_texts", "embed_images"} <= set(contract_methods(Embedder))
    assert {"set_vocabulary", "suggest"} <= set(contract_methods(Tagger))
    assert "Captioner" in used_in_tests() and "## Plugin API changelog" in plugin_docs()


@pytest.mark.parametrize("hook", hook_names())
def test_each_hook_is_documented_and_implemented_by_a_sample_plugin(hook: str) -> None:
    assert f"`{hook}(register)`" in plugin_docs(), f"README does not document the hook {hook}"
    assert hook in hooks_implemented_by_sample_plugins(), f"no plugin in tests/plugins implements {hook}"


@pytest.mark.parametrize("name", plugin_api.__all__)
def test_each_public_name_is_documented_and_used_by_a_test(name: str) -> None:
    assert f"`{name}`" in plugin_docs() or f"`{name}(" in plugin_docs(), \
        f"README's plugin sections do not document desktop_app.plugin_api.{name}"
    assert name in used_in_tests(), f"no test uses desktop_app.plugin_api.{name}"


@pytest.mark.parametrize(("contract", "method"), [
    (contract, method) for contract in (Captioner, Embedder, Tagger) for method in contract_methods(contract)
], ids=lambda value: value.__name__ if isinstance(value, type) else value)
def test_each_contract_method_is_documented_with_its_signature_and_used_by_a_test(
        contract: type, method: str) -> None:
    # A keyword-only parameter is documented as such: "top_n=...".
    parameters = [f"{name}=..." if parameter.kind is inspect.Parameter.KEYWORD_ONLY else name
                  for name, parameter in inspect.signature(getattr(contract, method)).parameters.items()
                  if name != "self"]
    documented = f"`{method}({', '.join(parameters)})`"
    assert documented in plugin_docs(), f"README does not document {contract.__name__}.{documented}"
    assert method in used_in_tests(), f"no test calls {contract.__name__}.{method}"


def test_the_changelog_names_the_current_version() -> None:
    assert f"### {plugin_api.API_VERSION}\n" in plugin_docs()
