"""The layout of ARCHITECTURE.md holds: imports run one way (the .importlinter contracts, which fail when
an import runs back up, as the mutation below shows), no module hides an import inside a function to dodge
a cycle, and a slice's pages, API and commands are imported only by its own init_app."""
import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGE = ROOT / "ticketdesk"
LINT = Path(sys.executable).with_name("lint-imports")
FACTORIES = {"init_app", "create_app", "checked_settings"}  # where importing the slices is the point
ENTRY_MODULES = {"views", "api", "cli"}


def lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--config", str(ROOT / ".importlinter"), "--no-cache"], cwd=cwd,
                          capture_output=True, text=True, timeout=300, env={"PYTHONPATH": str(cwd), "PATH": ""})


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(), str(path))


def absolute(path: Path, node: ast.ImportFrom) -> str:
    """The module an import names, as `ticketdesk.x.y`."""
    if not node.level:
        return node.module or ""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    base = parts[:len(parts) - node.level] if path.name != "__init__.py" else parts[:len(parts) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def test_imports_run_one_way():
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_import_that_runs_back_up_breaks_the_contract(tmp_path):
    shutil.copytree(PACKAGE, tmp_path / "ticketdesk", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "config", tmp_path / "config", ignore=shutil.ignore_patterns("__pycache__"))
    changes = tmp_path / "ticketdesk" / "record" / "changes.py"
    changes.write_text(changes.read_text() + "\nfrom ..mail_in import intake  # noqa\n")  # the floor reaching up
    done = lint(tmp_path)
    assert done.returncode != 0
    assert "ticketdesk.record.changes -> ticketdesk.mail_in.intake" in done.stdout


def test_no_module_imports_the_desk_inside_a_function_but_the_factories():
    hidden = [f"{path.relative_to(ROOT)}:{node.lineno} in {function.name}"
              for path, tree in modules() for function in ast.walk(tree)
              if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and function.name not in FACTORIES
              for node in ast.walk(function)
              if isinstance(node, ast.ImportFrom) and absolute(path, node).startswith(("ticketdesk", "config"))]
    assert hidden == []


def test_pages_api_and_commands_are_imported_only_by_their_own_init_app():
    """So importing a service never runs a view: `from ..tickets.filing import file_ticket` loads no page."""
    wrong = []
    for path, tree in modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            target = absolute(path, node)
            names = [target] + [f"{target}.{alias.name}" for alias in node.names]
            for name in names:
                parts = name.split(".")
                if len(parts) == 3 and parts[0] == "ticketdesk" and parts[2] in ENTRY_MODULES:
                    own_init = path == PACKAGE / parts[1] / "__init__.py"
                    same_package = path.parent == PACKAGE / parts[1]
                    if not own_init and not (same_package and parts[2] == "api" and path.stem in ENTRY_MODULES):
                        wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []
