"""Dependencies flow one way: bot -> retrieval -> corpus. Only bot imports telegram."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "corpus": {"bot", "retrieval", "telegram"},
    "retrieval": {"bot", "telegram"},
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.partition(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_dependencies_flow_one_way(package):
    files = list((ROOT / package).rglob("*.py"))
    assert files
    for path in files:
        assert not imported_roots(path) & FORBIDDEN[package], path


def test_no_package_imports_the_tests():
    for package in ("bot", "retrieval", "corpus"):
        for path in (ROOT / package).rglob("*.py"):
            assert not imported_roots(path) & {"tests", "support", "conftest"}, path


# -- the bot's rooms (docs/architecture.md) ---------------------------------------------

BOT = ROOT / "bot"
FEATURES = ("chat", "directives", "admin")
# Cross-room imports that are allowed, each for a reason; anything else between features,
# or from the platform or the store into a feature, fails the test below.
ALLOWED = {
    # The composition root and what wires the features together.
    ("platform/app.py", "*"),
    ("platform/lifecycle.py", "*"),
    ("platform/state.py", "*"),  # the services' types
    ("platform/buttons.py", "*"),  # routes each button to its feature
    ("platform/commands.py", "chat"),  # /start with a shared question answers it
    ("platform/config.py", "directives"),  # the broadcast pace is a setting
    ("platform/healthcheck.py", "admin"),  # "running" is the backup's run lock
    # A reload announces new directives with the directive card and its filters' terms.
    ("admin/reload.py", "directives"),
    ("admin/commands.py", "directives"),  # /broadcast previews a directive card
    # Subscriptions store their filters: plain data owned by the directives room.
    ("store/subscriptions.py", "directives"),
    ("store/pg_subscriptions.py", "directives"),
    ("store/known.py", "directives"),
    ("store/pg_known.py", "directives"),
    ("store/backends.py", "directives"),
}


def bot_rooms_imported(path: Path) -> set[str]:
    """The rooms of `bot` (chat, directives, admin, platform, store) a module imports."""
    rooms: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "bot" and len(parts) > 1:
                rooms.add(parts[1])
    return rooms


def test_each_module_of_bot_lives_in_a_room():
    loose = sorted(p.name for p in BOT.glob("*.py")
                   if p.name not in {"__init__.py", "__main__.py", "cli.py"})
    assert not loose, f"modules outside the rooms: {loose}"


def test_features_import_only_the_platform_the_store_and_listed_neighbours():
    wrong = []
    for path in BOT.rglob("*.py"):
        relative = path.relative_to(BOT).as_posix()
        room = relative.split("/")[0]
        if room not in (*FEATURES, "platform", "store"):
            continue
        for other in bot_rooms_imported(path) & set(FEATURES):
            if other == room:
                continue
            if (relative, "*") not in ALLOWED and (relative, other) not in ALLOWED:
                wrong.append(f"{relative} imports bot.{other}")
    assert not wrong, wrong


def test_bot_reads_retrieval_through_its_facade():
    """`retrieval/__init__` is what the bot may use; its modules are its own business."""
    wrong = []
    for path in BOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                module = node.module
                if module.startswith("retrieval.") and module != "retrieval.cli":
                    wrong.append(f"{path.relative_to(ROOT)}: {module}")
    assert not wrong, wrong


@pytest.mark.parametrize("package", ["corpus", "retrieval"])
def test_library_code_never_imports_a_command_line_module(package):
    wrong = []
    for path in (ROOT / package).rglob("*.py"):
        if path.name in {"cli.py", "__main__.py"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and (
                node.module.endswith(".cli") or node.module == "cli"
            ):
                wrong.append(f"{path.relative_to(ROOT)}: {node.module}")
    assert not wrong, wrong
