"""The README stays a short front door, and no link in it or in docs/ leads nowhere."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").rglob("*.md"))]
README_LIMIT = 10_240

_FENCE = re.compile(r"^(```|~~~)")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]\n]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _prose(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks."""
    out, fenced = [], False
    for no, line in enumerate(text.splitlines(), 1):
        if _FENCE.match(line.lstrip()):
            fenced = not fenced
            continue
        if not fenced:
            out.append((no, line))
    return out


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


@cache
def anchors(page: Path) -> frozenset[str]:
    seen: dict[str, int] = {}
    found = set()
    for _no, line in _prose(page.read_text(encoding="utf-8")):
        m = _HEADING.match(line)
        if not m:
            continue
        base = slug(m.group(2))
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return frozenset(found)


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    broken = []
    for no, line in _prose(page.read_text(encoding="utf-8")):
        for target in _LINK.findall(_INLINE_CODE.sub("", line)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ... are not files here
                continue
            path, _, anchor = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            where = f"{page.relative_to(root)}:{no}: {target}"
            if not dest.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                broken.append(f"{where} (no heading with that anchor in {dest.relative_to(root)})")
    return broken


def test_every_relative_link_in_the_readme_and_docs_resolves():
    assert [b for page in PAGES for b in broken_links(page)] == []


def test_the_readme_stays_short():
    size = README.stat().st_size
    assert size <= README_LIMIT, f"README.md is {size:,} bytes; move detail into docs/ and link it"


def test_the_readme_opens_with_the_two_commands_ci_runs():
    text = README.read_text(encoding="utf-8")
    demo = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/workbench demo"
    tests = "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/pytest"
    assert demo in text and tests in text
    assert text.index(demo) < text.index(tests) < text.index("\n## ")
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_docs_index_links_every_page():
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    linked = {(ROOT / "docs" / t.partition("#")[0]).resolve() for t in _LINK.findall(index)}
    unlinked = [str(p.relative_to(ROOT)) for p in PAGES[1:]
                if p.name != "README.md" and p.resolve() not in linked
                and p.parent.resolve() != (ROOT / "docs" / "fidelity").resolve()]
    assert unlinked == []


def test_a_broken_link_and_a_missing_anchor_are_caught(tmp_path: Path):
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other\n\n## Pushing: exactly once\n", encoding="utf-8")
    page.write_text("[ok](other.md#pushing-exactly-once) [gone](missing.md) [bad](other.md#nope)\n"
                    "```\n[in code](nowhere.md)\n```\n`[inline](nowhere.md)` [web](https://example.com)\n",
                    encoding="utf-8")
    assert broken_links(page, tmp_path) == ["page.md:1: missing.md (no such file)",
                     "page.md:1: other.md#nope (no heading with that anchor in other.md)"]
