#!/usr/bin/env python3
"""Checks that data flows one way through src/: no module imports one that imports it back.

A module is a file (`a/b.rs` or `a/b/mod.rs` is `a::b`); an inline `mod x { … }` belongs to its
file. A file imports another when it names it in a path (`use crate::a::b::Item`, `super::c`,
`crate::a::b::f()` in code, or a child `b::Item` from its parent); `mod b;` alone is no import.
A path is taken to the deepest file module it names, so a parent's `pub use child::Item`
re-export is an edge parent -> child, and a child that reaches for anything through its parent
(`use super::Item`, `crate::a::Item`) makes a loop: parents only declare and re-export, shared
items live in files of their own.

The same holds between the top-level folders of src/: a module `a::x` importing `b::y` (a and b
folders) is an edge a -> b, and no folder may import one that imports it back, however deep
inside each the imports are (`console` hosts the floor, so nothing in `floor` may reach into
`console`; what both use lives in a module of its own).

  scripts/layers.py [--graph] [src]   prints every loop (and with --graph each module's imports
                                      and each top-level module's); exit status 1 when there is
                                      a loop.
"""
import os
import re
import sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
root = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "src")


def module_of(path):
    parts = os.path.relpath(path, root)[:-3].split(os.sep)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


files = {}
for d, _, names in os.walk(root):
    for name in names:
        if name.endswith(".rs"):
            files[module_of(os.path.join(d, name))] = os.path.join(d, name)
# main.rs is a binary of its own, not a module of the library.
files.pop((), None)
files[()] = os.path.join(root, "lib.rs")


def strip(src):
    """The source without comments, strings and char literals (a small Rust lexer)."""
    out, i, n = [], 0, len(src)
    ident = lambda c: c.isalnum() or c == "_"
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif src.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if src.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif src.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c in "rb" and (i == 0 or not ident(src[i - 1])) and re.match(r'(?:br|r)#*"', src[i:i + 40]):
            m = re.match(r'(br|r)(#*)"', src[i:])
            end = '"' + m.group(2)
            j = src.find(end, i + len(m.group(0)))
            out.append('""')
            i = n if j < 0 else j + len(end)
        elif c == '"' or (c == "b" and src.startswith('b"', i) and (i == 0 or not ident(src[i - 1]))):
            i += 2 if c == "b" else 1
            while i < n and src[i] != '"':
                i += 2 if src[i] == "\\" else 1
            out.append('""')
            i += 1
        elif c == "'":
            m = re.match(r"'(?:\\.[^']*|[^\\'])'", src[i:])
            if m:
                out.append("' '")
                i += len(m.group(0))
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def use_paths(tree):
    """`a::{b, c::{d, e as f}}` -> [[a, b], [a, c, d], [a, c, e]]."""
    tree = " ".join(tree.split())
    brace = tree.find("{")
    if brace < 0:
        tree = re.sub(r"\s+as\s+\w+$", "", tree.strip())
        return [[s.strip() for s in tree.split("::") if s.strip() and s.strip() != "*"]]
    head = [s.strip() for s in tree[:brace].split("::") if s.strip()]
    inner = tree[brace + 1:tree.rfind("}")]
    items, cur, depth = [], "", 0
    for ch in inner:
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    items.append(cur)
    return [head + p for it in items if it.strip() for p in use_paths(it)]


def resolve(scope, file_mod, segs):
    """The deepest file module a path names, seen from `scope` (the module path at that point,
    inline modules included) in the file of `file_mod`."""
    if not segs:
        return None
    first, rest = segs[0], segs[1:]
    if first == "crate":
        base = ()
    elif first in ("super", "self"):
        base, rest = scope, segs
        while rest and rest[0] in ("super", "self"):
            base = base[:-1] if rest[0] == "super" else base
            rest = rest[1:]
    elif scope + (first,) in files:
        base, rest = scope, segs
    else:
        return None
    best = base if base in files else None
    path = base
    for s in rest:
        path = path + (s,)
        if path in files:
            best = path
        else:
            break
    if best is None:
        # an inline module: it belongs to its file
        best = file_mod if base[:len(file_mod)] == file_mod else None
    return best


edges = {}
for mod, path in files.items():
    src = strip(open(path, encoding="utf-8").read())
    deps = set()
    # Track inline `mod x { … }` so that `super::` inside one is resolved from there.
    stack, depth = [], 0
    tokens = re.finditer(r"\bmod\s+(\w+)\s*\{|\{|\}|\buse\s+([^;]+);|(?<![\w:])(\w+(?:\s*::\s*\w+)+)", src)
    for t in tokens:
        if t.group(1):
            depth += 1
            stack.append((t.group(1), depth))
            continue
        text = t.group(0)
        if text == "{":
            depth += 1
            continue
        if text == "}":
            if stack and stack[-1][1] == depth:
                stack.pop()
            depth -= 1
            continue
        scope = mod + tuple(name for name, _ in stack)
        paths = use_paths(t.group(2)) if t.group(2) else [[s.strip() for s in t.group(3).split("::")]]
        for p in paths:
            target = resolve(scope, mod, p)
            if target is not None and target != mod:
                deps.add(target)
        if t.group(2) and "{" in t.group(2):
            pass
    edges[mod] = deps

def strongly_connected(edges):
    """The loops of a graph: its strongly connected components of more than one node (Tarjan)."""
    index, low, on, stack, loops, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                loops.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return loops


sys.setrecursionlimit(10000)
loops = strongly_connected(edges)

# The folders' graph: an import between two top-level folders, from anywhere inside each.
folders = {(d,) for d in os.listdir(root) if os.path.isdir(os.path.join(root, d))}
top = {f: set() for f in folders}
for m, deps in edges.items():
    if m[:1] in folders:
        top[m[:1]].update(d[:1] for d in deps if d[:1] in folders and d[:1] != m[:1])
top_loops = strongly_connected(top)

name = lambda m: "::".join(m) or "(crate root)"
if "--graph" in sys.argv:
    for m in sorted(edges):
        print(f"{name(m)} -> {', '.join(sorted(name(x) for x in edges[m])) or '-'}")
    print()
    for m in sorted(top):
        print(f"{name(m)}/ -> {', '.join(sorted(name(x) for x in top[m])) or '-'}")
for comp in loops:
    print("import loop:", " <-> ".join(name(m) for m in comp))
    for m in comp:
        back = sorted(name(x) for x in edges[m] if x in comp)
        print(f"    {name(m)} imports {', '.join(back)}")
for comp in top_loops:
    print("import loop between folders:", " <-> ".join(name(m) + "/" for m in comp))
    for m in comp:
        # Which of its modules import which: the imports to cut.
        for a in sorted(x for x in edges if x[:1] == m):
            back = sorted(name(x) for x in edges[a] if x[:1] in comp and x[:1] != m)
            if back:
                print(f"    {name(a)} imports {', '.join(back)}")
if not loops:
    print(f"module layers: {len(files)} modules, no import loop")
if not top_loops:
    print(f"folder layers: {len(top)} folders, no import loop")
sys.exit(1 if loops or top_loops else 0)
