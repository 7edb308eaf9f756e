"""Reads facts out of the real AIOpsLab source with `ast`, without importing it."""

import ast
from pathlib import Path
from typing import Any, Optional

from real_lab import UPSTREAM_DIR, require_upstream


def parse(relative_path: str) -> ast.Module:
    require_upstream()
    path = Path(UPSTREAM_DIR) / relative_path
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def source(relative_path: str) -> str:
    require_upstream()
    return (Path(UPSTREAM_DIR) / relative_path).read_text(encoding="utf-8")


def find_function(tree: ast.AST, name: str, in_class: Optional[str] = None) -> ast.FunctionDef:
    scope = tree if in_class is None else find_class(tree, in_class)
    for node in ast.walk(scope):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node
    raise AssertionError(f"upstream has no function {name}" + (f" in class {in_class}" if in_class else ""))


def find_class(tree: ast.AST, name: str) -> ast.ClassDef:
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise AssertionError(f"upstream has no class {name}")


def calls_to(node: ast.AST, attribute_or_name: str) -> list:
    found = []
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name == attribute_or_name:
                found.append(call)
    return found


def literal_keywords(call: ast.Call) -> dict:
    """The call's keyword arguments whose values are literals (names and attributes are skipped)."""
    values = {}
    for keyword in call.keywords:
        try:
            values[keyword.arg] = ast.literal_eval(keyword.value)
        except ValueError:
            continue
    return values


def parameter_defaults(function: ast.FunctionDef) -> dict:
    args = function.args.args
    defaults = function.args.defaults
    return {arg.arg: ast.literal_eval(default) for arg, default in zip(args[len(args) - len(defaults):], defaults)}


def dict_keys(node: Any) -> list:
    return [ast.literal_eval(key) for key in node.keys]
