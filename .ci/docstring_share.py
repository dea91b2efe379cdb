"""Docstring share of src/tfp_talent: lines inside docstrings / all lines, per sub-package.

A docstring is the first statement of a module, class or function when it is a string; its lines
are counted from its first to its last line. Prints one line per sub-package and the total, lists
public module-level functions, classes and methods without a docstring, and exits 1 when the total
share is below ``--min`` (default 0.30, the low end of linearmodels/statsmodels) or any such public
name lacks one.

    python .ci/docstring_share.py [--min 0.30] [ROOT]
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _docstring_lines(node: ast.AST) -> int:
    """Lines of ``node``'s docstring (0 without one, or when ``node`` cannot have one)."""
    body = node.body if isinstance(node, _DOCUMENTED) else []
    first = body[0] if body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return first.end_lineno - first.lineno + 1
    return 0


def _public_without_docstring(tree: ast.Module, path: Path) -> list[str]:
    """Module-level functions and classes, and methods of module-level classes, not starting with _."""
    missing = []
    for node in tree.body:
        if isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        ) and not node.name.startswith("_"):
            if not _docstring_lines(node):
                missing.append(f"{path}:{node.lineno} {node.name}")
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    public = isinstance(
                        item, (ast.FunctionDef, ast.AsyncFunctionDef)
                    ) and not item.name.startswith("_")
                    if public and not _docstring_lines(item):
                        missing.append(f"{path}:{item.lineno} {node.name}.{item.name}")
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("root", nargs="?", default="src/tfp_talent")
    parser.add_argument(
        "--min", type=float, default=0.30, help="smallest total share accepted (default 0.30)"
    )
    args = parser.parse_args()
    root = Path(args.root)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missing: list[str] = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        rel = path.relative_to(root)
        key = rel.parts[0] if len(rel.parts) > 1 else "(top level)"
        counts[key][0] += sum(_docstring_lines(n) for n in ast.walk(tree))
        counts[key][1] += len(text.splitlines())
        missing += _public_without_docstring(tree, path)
    for key, (doc, total) in sorted(counts.items()):
        print(f"{key:14s} {doc:6d} / {total:6d} lines = {doc / total:6.1%}")
    doc, total = (sum(v[i] for v in counts.values()) for i in (0, 1))
    print(f"{'total':14s} {doc:6d} / {total:6d} lines = {doc / total:6.1%}")
    for line in missing:
        print(f"no docstring: {line}")
    if doc / total < args.min or missing:
        print(
            f"docstring share {doc / total:.1%} (minimum {args.min:.0%}); {len(missing)} public names without one"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
