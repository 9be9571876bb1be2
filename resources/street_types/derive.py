"""Derive workbench/reconcile/street_types.csv from libpostal's address dictionaries.

Source: github.com/openvenues/libpostal (MIT licence), resources/dictionaries/<lang>/
street_types.txt (street types: "avenida|av|avda") and concatenated_suffixes_separable.txt
(types written onto the name: "Kerkstraat" / "Kerk str."). Each line is a canonical form
followed by its abbreviations. Run against a clone or bare mirror:

    python resources/street_types/derive.py /path/to/libpostal.git > workbench/reconcile/street_types.csv
"""

from __future__ import annotations

import csv
import subprocess
import sys

# languages of the countries the product supports (workbench.reconcile.normalize.STREET_LANGUAGES)
LANGUAGES = ("de", "fr", "it", "es", "ca", "nl", "sv", "da", "nb", "fi", "pl", "pt", "en")
FILES = (("type", "street_types.txt"), ("suffix", "concatenated_suffixes_separable.txt"))


def show(repo: str, path: str) -> str | None:
    out = subprocess.run(["git", f"--git-dir={repo}", "show", f"HEAD:{path}"], capture_output=True, text=True)
    return out.stdout if out.returncode == 0 else None


def main(repo: str) -> None:
    commit = subprocess.run(["git", f"--git-dir={repo}", "rev-parse", "HEAD"], capture_output=True,
                            text=True, check=True).stdout.strip()
    print(f"# derived from openvenues/libpostal@{commit} resources/dictionaries (MIT licence)"
          f" by resources/street_types/derive.py")
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["lang", "kind", "canonical", "variants"])
    for lang in LANGUAGES:
        for kind, name in FILES:
            text = show(repo, f"resources/dictionaries/{lang}/{name}")
            for line in (text or "").splitlines():
                forms = [f.strip() for f in line.split("|") if f.strip()]
                if forms and not forms[0].startswith("#"):
                    w.writerow([lang, kind, forms[0], "|".join(forms[1:])])


if __name__ == "__main__":
    main(sys.argv[1])
