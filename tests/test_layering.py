"""The domain stays pure: it imports nothing that reaches outside the process."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).parent.parent / "releaser" / "domain"
FORBIDDEN = {"github", "requests", "subprocess", "os", "socket", "urllib", "http", "yaml", "time"}


@pytest.mark.parametrize("module", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_domain_module_imports_nothing_impure(module):
    tree = ast.parse(module.read_text())
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            root = name.split(".")[0]
            assert root not in FORBIDDEN, f"{module.name} imports {name}"
            if root == "releaser":
                assert name.startswith("releaser.domain"), f"{module.name} imports {name}"


def test_plan_path_does_not_import_heavy_adapters(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from releaser.cli import main; "
        f"main(['plan', '--repo', {str(tmp_path)!r}]); "
        "heavy = ('github', 'requests', 'jsonschema'); "
        "print('loaded=' + ','.join(m for m in heavy if m in sys.modules))"
    )
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "loaded="


ROOT = Path(__file__).parent.parent / "releaser"
ADAPTER = ROOT / "github"


@pytest.mark.parametrize(
    "module", sorted(ROOT.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_only_the_github_adapter_imports_pygithub(module):
    tree = ast.parse(module.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        if any(n == "github" or n.startswith("github.") for n in names):
            assert module.is_relative_to(ADAPTER), f"{module.relative_to(ROOT)} imports PyGithub"
