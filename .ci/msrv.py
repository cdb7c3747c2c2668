#!/usr/bin/env python3
"""Checks the workspace's declared rust-version against what it needs.

1. Every package's `rust-version` is the same, and no lower than the highest `rust-version`
   among the dependencies a build compiles (normal and build dependencies, as `cargo metadata`
   resolves them with all features; dev-dependencies only build the tests).
2. The code's language features: let chains (`&& let`) need Rust 1.88.

Clippy's `incompatible_msrv` lint (denied in the lint step) checks the standard library APIs
against the same `rust-version`.
"""
import json
import pathlib
import re
import subprocess
import sys


def version(text):
    return tuple(int(part) for part in text.split("."))


def show(v):
    return ".".join(str(part) for part in v)


metadata = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--all-features", "--locked"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
packages = {p["id"]: p for p in metadata["packages"]}
members = set(metadata["workspace_members"])
nodes = {n["id"]: n for n in metadata["resolve"]["nodes"]}

declared = {packages[m]["name"]: packages[m].get("rust_version") for m in members}
if len(set(declared.values())) != 1 or None in declared.values():
    sys.exit(f"msrv: the packages declare different rust-versions: {declared}")
msrv = version(next(iter(declared.values())))

# The dependencies a build of the members compiles: follow normal and build edges only.
seen, stack = set(), list(members)
while stack:
    node = nodes[stack.pop()]
    for dep in node["deps"]:
        kinds = {k["kind"] for k in dep["dep_kinds"]}
        if kinds - {"dev"} and dep["pkg"] not in seen:
            seen.add(dep["pkg"])
            stack.append(dep["pkg"])

needed = [
    (version(packages[p]["rust_version"]), packages[p]["name"])
    for p in seen - members
    if packages[p].get("rust_version")
]
highest, by = max(needed)
print(f"msrv: declared {show(msrv)}; highest among {len(seen - members)} dependencies: {show(highest)} ({by})")
if highest > msrv:
    sys.exit(f"msrv: {by} needs Rust {show(highest)}, above the declared {show(msrv)}")

let_chains = [
    str(path)
    for root in ("src", "cli/src", "tests", "cli/tests", "examples", "cli/examples", "benches")
    for path in pathlib.Path(root).rglob("*.rs")
    if re.search(r"&&\s*let\s", path.read_text(encoding="utf-8"))
]
if let_chains and msrv < (1, 88):
    sys.exit(f"msrv: let chains (Rust 1.88) are used in {let_chains[0]}, above the declared {show(msrv)}")
print("msrv: ok")
