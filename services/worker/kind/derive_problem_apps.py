#!/usr/bin/env python3
"""Derives which app each AIOpsLab problem deploys, statically, from the upstream source.

Reads aiopslab/orchestrator/problems/registry.py (problem id -> class, or a lambda calling a class
with keyword arguments), finds each class's __init__ (or a base class's) that assigns
`self.app = <AppClass>()`, following if/elif branches on constructor arguments (NoOpDetection's
app_name), and names the app after its metadata file (apps/*.py -> paths.py -> metadata/<name>.json,
so `HotelReservation` is `hotel_reservation`). Standard library only; nothing is imported or run.

Usage: derive_problem_apps.py <aiopslab checkout>   prints {"problems": {...}, "chaos_mesh_problems": [...]}
"""
import ast
import json
import sys
from pathlib import Path


def app_keys_by_class(package: Path) -> dict:
    """AppClass -> app key, through the metadata constant each app passes to Application.__init__."""
    metadata_files = {}
    for node in ast.parse((package / "paths.py").read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.BinOp):
            last = node.value.right
            if isinstance(last, ast.Constant) and str(last.value).endswith(".json"):
                metadata_files[node.targets[0].id] = Path(last.value).stem.replace("-", "_")
    keys = {}
    for module in sorted((package / "service" / "apps").glob("*.py")):
        for cls in (n for n in ast.parse(module.read_text()).body if isinstance(n, ast.ClassDef)):
            for call in (n for n in ast.walk(cls) if isinstance(n, ast.Call)):
                if isinstance(call.func, ast.Attribute) and call.func.attr == "__init__" and call.args:
                    arg = call.args[-1]
                    if isinstance(arg, ast.Name) and arg.id in metadata_files:
                        keys[cls.name] = metadata_files[arg.id]
    return keys


def registry_entries(registry: Path) -> dict:
    """Problem id -> (class name, keyword arguments) of the PROBLEM_REGISTRY dict literal."""
    for node in ast.walk(ast.parse(registry.read_text())):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Attribute) and node.targets[0].attr == "PROBLEM_REGISTRY":
            entries = {}
            for key, value in zip(node.value.keys, node.value.values):
                call = value.body if isinstance(value, ast.Lambda) else None
                name = call.func.id if call is not None else value.id
                kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords} if call is not None else {}
                entries[key.value] = (name, kwargs)
            return entries
    raise SystemExit(f"no PROBLEM_REGISTRY dict in {registry}")


def class_index(problems_dir: Path) -> dict:
    index = {}
    for module in sorted(problems_dir.rglob("*.py")):
        for node in ast.parse(module.read_text()).body:
            if isinstance(node, ast.ClassDef):
                index[node.name] = node
    return index


def _init_env(init: ast.FunctionDef, kwargs: dict) -> dict:
    params = [a.arg for a in init.args.args[1:]]
    defaults = [ast.literal_eval(d) for d in init.args.defaults]
    env = dict(zip(params[len(params) - len(defaults):], defaults))
    env.update({k: v for k, v in kwargs.items() if k in params})
    return env


def _value(expr, env):
    if isinstance(expr, ast.Constant):
        return expr.value
    if isinstance(expr, ast.Name):
        return env.get(expr.id)
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
        return env.get("self." + expr.attr)
    return None


def _app_in(statements, env, app_classes):
    for stmt in statements:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Attribute):
            target = "self." + stmt.targets[0].attr
            value = stmt.value
            if target == "self.app" and isinstance(value, ast.Call) and getattr(value.func, "id", None) in app_classes:
                return value.func.id
            env[target] = _value(value, env)
        elif isinstance(stmt, ast.If):
            test = stmt.test
            if isinstance(test, ast.Compare) and isinstance(test.ops[0], ast.Eq):
                taken = _value(test.left, env) == _value(test.comparators[0], env)
                found = _app_in(stmt.body if taken else stmt.orelse, env, app_classes)
            else:
                found = _app_in(stmt.body, env, app_classes) or _app_in(stmt.orelse, env, app_classes)
            if found:
                return found
    return None


def _lineage(name: str, index: dict) -> list:
    """The class, then its bases depth first, as Python's MRO visits them for these simple hierarchies."""
    order, stack = [], [name]
    while stack:
        current = stack.pop(0)
        if current in index and current not in order:
            order.append(current)
            stack[0:0] = [b.id for b in index[current].bases if isinstance(b, ast.Name)]
    return order


def app_of(name: str, kwargs: dict, index: dict, app_classes: dict) -> str:
    for cls in _lineage(name, index):
        init = next((n for n in index[cls].body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
        if init is not None:
            found = _app_in(init.body, _init_env(init, kwargs), app_classes)
            if found:
                return app_classes[found]
    raise SystemExit(f"cannot tell which app {name}({kwargs}) deploys: no `self.app = <App>()` in its __init__ or its bases'")


def uses_chaos_mesh(name: str, index: dict) -> bool:
    """SymptomFaultInjector installs Chaos Mesh (Helm chart chaos-mesh/chaos-mesh) before it injects."""
    return any(
        isinstance(n, ast.Name) and n.id == "SymptomFaultInjector"
        for cls in _lineage(name, index) for n in ast.walk(index[cls])
    )


def derive(checkout: Path) -> dict:
    package = checkout / "aiopslab"
    problems_dir = package / "orchestrator" / "problems"
    app_classes = app_keys_by_class(package)
    index = class_index(problems_dir)
    entries = registry_entries(problems_dir / "registry.py")
    return {
        "problems": {pid: app_of(cls, kw, index, app_classes) for pid, (cls, kw) in entries.items()},
        "chaos_mesh_problems": [pid for pid, (cls, _) in entries.items() if uses_chaos_mesh(cls, index)],
    }


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: derive_problem_apps.py <aiopslab checkout, e.g. ../shared/upstream/aiopslab>")
    json.dump(derive(Path(sys.argv[1])), sys.stdout, indent=2)
    sys.stdout.write("\n")
