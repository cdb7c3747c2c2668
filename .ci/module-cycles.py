#!/usr/bin/env python3
"""Fails when the files of src/ import each other in a cycle.

The graph has one node per file. A file imports another when its code names a path into it:
a `use crate::…`, `use super::…` or `use self::…` (or a bare `use child::…` of a child module),
or such a path written inline (`crate::x::f()`, `$crate::…` in a macro). A directory's `mod.rs`
is that directory's module, so a child file that imports from its parent `mod.rs` is an edge to
it, and a `mod.rs` that re-exports a child (`pub use child::X`) is an edge from it. Declaring a
module (`mod x;`) is not an import. The crate root is the one exception: `crate::Name` is
followed through the root's `pub use` to the file that defines `Name`, since every file would
otherwise meet every other in `lib.rs`.

Comments, string literals and `pub(in path)` visibilities are ignored; `super::` inside an inline module (`mod tests { … }`)
is the file itself. Prints each group of files that import each other in a circle (a strongly connected
component), and in it the shortest cycle through each of its files with the names each import
brings in, and exits 1 when there is any.

Usage: python3 .ci/module-cycles.py [src-dir]
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent / "src")
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
KEYWORD_PREFIX = ("crate", "$crate", "super", "self")


def strip(text):
    """The code with comments, strings and char literals blanked out (lengths kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:]) and not re.match(r"[A-Za-z0-9_]", text[i - 1 : i] or " "):
            hashes = re.match(r"r(#*)\"", text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            j = n if end < 0 else end + 1 + len(hashes)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "'" and re.match(r"'(\\.[^']*|[^\\'])'", text[i:]):
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i:])
            out.append(" " * len(m.group(0)))
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def visibility_blanked(code):
    """The code with `pub(in path)` restrictions blanked out: a visibility names no import."""
    return re.sub(r"\bpub\s*\(\s*in\s+[^)]*\)", lambda m: " " * len(m.group(0)), code)


def module_of(path):
    """The module path of a file: src/a/b.rs and src/a/b/mod.rs are ["a", "b"]."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] in ("mod", "lib"):
        parts.pop()
    return parts


def file_of(module):
    """The file that holds `module`, or None."""
    if not module:
        return ROOT / "lib.rs"
    base = ROOT.joinpath(*module)
    for candidate in (base.with_suffix(".rs"), base / "mod.rs"):
        if candidate.is_file():
            return candidate
    return None


class Path(list):
    """A path's segments, and the name it is known by where it is imported (its alias)."""

    def __init__(self, segs, name):
        super().__init__(segs)
        self.name = name


def use_paths(tree):
    """Expands a use tree (`a::{b, c::{d, e as f}}`) into its paths, each a list of segments."""
    tree = re.sub(r"\s+", "", re.sub(r"\s+as\s+", "@", tree))

    def parse(s, prefix):
        paths, depth, start = [], 0, 0
        items = []
        for i, ch in enumerate(s):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                items.append(s[start:i])
                start = i + 1
        items.append(s[start:])
        for item in items:
            if not item:
                continue
            brace = item.find("{")
            if brace >= 0:
                head = [p for p in item[:brace].split("::") if p]
                paths += parse(item[brace + 1 : item.rfind("}")], prefix + head)
            else:
                path, _, alias = item.partition("@")
                segs = [p for p in path.split("::") if p]
                paths.append(Path(prefix + segs, alias or (segs[-1] if segs else "")))
        return paths

    return parse(tree, [])


def inline_depth(code, pos, spans):
    return sum(1 for start, end in spans if start < pos < end)


def inline_modules(code):
    """The spans of `mod x { … }` blocks."""
    spans = []
    for m in re.finditer(r"\bmod\s+" + IDENT + r"\s*\{", code):
        depth, j = 0, m.end() - 1
        while j < len(code):
            if code[j] == "{":
                depth += 1
            elif code[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        spans.append((m.end() - 1, j))
    return spans


def absolute(segs, module, nested):
    """`segs` as an absolute module path (None when it names no module of this crate)."""
    if not segs:
        return None
    head = segs[0]
    if head in ("crate", "$crate"):
        return segs[1:]
    if head in ("super", "self"):
        # Inside an inline module, `super` first climbs out of it (back to this file).
        here = list(module)
        rest = list(segs)
        levels = nested
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                if levels:
                    levels -= 1
                elif here:
                    here.pop()
                else:
                    return None
            rest.pop(0)
        if levels:
            return None  # names something inside this file's inline module
        return here + rest
    # A bare path in a `use` is relative to this module when its head is a child module.
    if nested == 0 and file_of(module + [head]) is not None:
        return module + segs
    return None


class Graph:
    def __init__(self):
        self.files = sorted(p for p in ROOT.rglob("*.rs"))
        self.code = {p: visibility_blanked(strip(p.read_text(encoding="utf-8"))) for p in self.files}
        self.root_exports = self.exports(ROOT / "lib.rs")
        self.edges = {}  # (from, to) -> set of names

    def exports(self, lib):
        """Names the crate root re-exports, each with its absolute path."""
        found = {}
        code = self.code.get(lib, "")
        for m in re.finditer(r"\bpub\s+use\s+([^;]+);", code):
            for segs in use_paths(m.group(1)):
                path = absolute(segs, [], 0)
                if path:
                    found[segs.name] = path
        return found

    def resolve(self, path, seen=()):
        """The file `path` leads into, and the name it takes from there."""
        module, i = [], 0
        while i < len(path) and file_of(module + [path[i]]) is not None:
            module.append(path[i])
            i += 1
        target = file_of(module)
        name = path[i] if i < len(path) else "*"
        if module or i >= len(path):
            return target, name
        # `crate::Name`: follow the root's re-export to its file.
        if name in self.root_exports and name not in seen:
            via = self.root_exports[name]
            if via != path:
                return self.resolve(via, seen + (name,))
        return None, name

    def build(self):
        for path in self.files:
            code = self.code[path]
            module = module_of(path)
            spans = inline_modules(code)
            refs = []
            for m in re.finditer(r"\buse\s+([^;]+);", code):
                nested = inline_depth(code, m.start(), spans)
                for segs in use_paths(m.group(1)):
                    refs.append((segs, nested))
            use_spans = [(m.start(), m.end()) for m in re.finditer(r"\buse\s+[^;]+;", code)]
            pattern = r"(?<![A-Za-z0-9_:])(\$?crate|super|self)((?:::" + IDENT + r")+)"
            for m in re.finditer(pattern, code):
                if any(s <= m.start() < e for s, e in use_spans):
                    continue
                segs = [m.group(1)] + [s for s in m.group(2).split("::") if s]
                refs.append((segs, inline_depth(code, m.start(), spans)))
            for segs, nested in refs:
                target_path = absolute(segs, module, nested)
                if target_path is None:
                    continue
                target, name = self.resolve(target_path)
                if target is None or target == path or target == ROOT / "lib.rs":
                    continue
                self.edges.setdefault((path, target), set()).add(name)
        return self

    def cycles(self):
        """One cycle for each strongly connected group of files (Tarjan)."""
        out = {}
        for a, b in self.edges:
            out.setdefault(a, set()).add(b)
        index, low, stack, on, groups = {}, {}, [], set(), []
        counter = [0]

        def visit(v):
            index[v] = low[v] = counter[0]
            counter[0] += 1
            stack.append(v)
            on.add(v)
            for w in sorted(out.get(v, ())):
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                group = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    group.append(w)
                    if w == v:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))

        sys.setrecursionlimit(10000)
        for v in self.files:
            if v not in index:
                visit(v)
        found = []
        for group in sorted(groups):
            members = set(group)
            cycles, seen = [], set()
            for start in group:
                cycle = shortest_cycle(start, members, out)
                key = frozenset(zip(cycle, cycle[1:]))
                if cycle and key not in seen:
                    seen.add(key)
                    cycles.append(cycle)
            found.append((group, cycles))
        return found


def shortest_cycle(start, members, out):
    """The shortest way from `start` back to itself within `members` (breadth first)."""
    paths, frontier = {start: [start]}, [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(out.get(v, ())):
                if w not in members:
                    continue
                if w == start:
                    return paths[v] + [start]
                if w not in paths:
                    paths[w] = paths[v] + [w]
                    nxt.append(w)
        frontier = nxt
    return []


def show(path):
    return str(path.relative_to(ROOT.parent))


def main():
    graph = Graph().build()
    found = graph.cycles()
    if not found:
        print(f"module cycles: none among {len(graph.files)} files of {show(ROOT)}")
        return 0
    print(f"module cycles: {len(found)} group(s) of files that import each other")
    for group, cycles in found:
        print()
        print(f"{len(group)} files: " + ", ".join(show(p) for p in group))
        for cycle in cycles:
            print("  cycle: " + " -> ".join(show(p) for p in cycle))
            for x, y in zip(cycle, cycle[1:]):
                names = ", ".join(sorted(graph.edges[(x, y)]))
                print(f"    {show(x)} uses {names} from {show(y)}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
