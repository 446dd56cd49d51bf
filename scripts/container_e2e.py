"""Run the built Action image the way the runner does (podman), against tests/fakegithub.

`smoke`: size, version, imports, bytecode, git plumbing, safe.directory. `release`: release PR
opened, then merged + published.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The runner's checkout belongs to the runner user, not to the container's root.
WORKSPACE_UID = 1001
PODMAN_RUN = [
    "podman", "run", "--rm", "--runtime", "runc",
    # This sandbox refuses the default rlimits; they are harmless on a normal host.
    "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
    "--network=host",
]  # fmt: skip
MODULES = ("github yaml semver requests jsonschema defusedxml cyclonedx rfc8785 releaser").split()
# bench/results-image.md records the test image at 134 MB; issue #4's goal is under 150 MB.
MAX_IMAGE_MB = float(os.environ.get("MAX_IMAGE_MB", "150"))
# The git commands releaser.git and releaser.evidence.verify run, with their formats.
LOG_FORMAT = "--format=%H%x00%P%x00%aN%x00%B%x00"
GIT_PLUMBING = (
    ("rev-parse", "--absolute-git-dir", "--is-shallow-repository"),
    ("rev-parse", "--verify", "-q", "HEAD^{commit}"),
    ("-c", "core.quotepath=off", "for-each-ref", "--merged=HEAD",
     "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)", "refs/tags"),
    ("log", LOG_FORMAT, "v0.1.0..HEAD"),
    ("log", LOG_FORMAT, "HEAD", "--full-history", "--", "src"),
    ("rev-list", "v0.1.0..HEAD"),
    ("rev-parse", "--verify", "--quiet", "refs/tags/v0.1.0^{commit}"),
    ("merge-base", "--is-ancestor", "v0.1.0", "HEAD"),
    ("merge-base", "--is-ancestor", "HEAD", "v0.1.0"),
    ("config", "--get", "remote.origin.url"),
    ("show", "HEAD:src/a.py"),
    ("show", "HEAD:missing.txt"),
    ("rev-parse", "HEAD^{tree}"),
    ("cat-file", "-p", "v0.1.0"),
    ("ls-tree", "-r", "HEAD"),
)  # fmt: skip
# Run inside the image: every stdlib, dependency and app module that the Action's modules
# import must load from bytecode (the Dockerfile prunes and recompiles the stdlib's).
BYTECODE_CHECK = """
import os, sys
import releaser.action, releaser.cli, yaml, nacl.public, cryptography.hazmat.bindings._rust
assert yaml.__with_libyaml__, "PyYAML lost its libyaml extension"
missing = sorted(
    name for name, mod in list(sys.modules.items())
    if (spec := getattr(mod, "__spec__", None)) and spec.cached and spec.origin
    and spec.origin.endswith(".py") and not os.path.exists(spec.cached)
)
print(" ".join(missing))
"""


class Failure(Exception):
    pass


def check(cond: bool, what: str) -> None:
    if not cond:
        raise Failure(what)
    print(f"ok: {what}")


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Dev",
    "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
}


def git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=os.environ | GIT_IDENTITY, check=True, capture_output=True,
        text=True,
    )  # fmt: skip
    return done.stdout.strip()


def podman(
    image: str, *args: str, mounts: dict[Path, str] | None = None, **kw
) -> subprocess.CompletedProcess:
    cmd = list(PODMAN_RUN)
    for host, inside in (mounts or {}).items():
        cmd += ["-v", f"{host}:{inside}"]
    env = kw.pop("env", {})
    for key in sorted(env):
        cmd += ["-e", key]  # values through the environment, never on the command line
    entrypoint = kw.pop("entrypoint", None)
    if entrypoint:
        cmd += ["--entrypoint", entrypoint]
    cmd += kw.pop("extra", [])
    cmd += [image, *args]
    return subprocess.run(
        cmd, env=os.environ | env, capture_output=True, text=True, timeout=300, check=False
    )


def image_size(image: str) -> None:
    out = subprocess.run(
        ["podman", "image", "inspect", "--format", "{{.Size}}", image],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    size_mb = int(out.stdout.strip()) / 1e6
    check(size_mb <= MAX_IMAGE_MB, f"image is {size_mb:.1f} MB, at most {MAX_IMAGE_MB:g} MB")


def plumbing_repo(repo: Path) -> None:
    """A repository with an annotated tag and commits in UTF-8, Latin-1 and EUC-JP."""
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    git("remote", "add", "origin", "https://github.com/acme/widgets.git", cwd=repo)
    (repo / "README.md").write_text("widgets\n")
    git("add", ".", cwd=repo)
    git("commit", "-q", "-m", "chore: initial", cwd=repo)
    git("tag", "-a", "-m", "v0.1.0", "v0.1.0", cwd=repo)
    (repo / "src").mkdir()
    (repo / "src" / "a.py").write_text("A = 1\n")
    git("add", ".", cwd=repo)
    git("commit", "-q", "-m", "feat: add a\n\nBody line.", cwd=repo)
    # Legacy encodings: git converts these to UTF-8 with glibc's iconv modules, which the
    # Dockerfile prunes to the common ones.
    for encoding, message in (("ISO-8859-1", "fix: café"), ("EUC-JP", "docs: 日本語")):
        subprocess.run(
            ["git", "-c", f"i18n.commitEncoding={encoding}", "commit", "-q", "--allow-empty",
             "-m", message.encode(encoding)],
            cwd=repo, env=os.environ | GIT_IDENTITY, check=True,
        )  # fmt: skip


def plumbing_script(git_dir: str) -> str:
    """A shell script running GIT_PLUMBING in git_dir, printing each output and exit code."""
    lines = []
    for args in GIT_PLUMBING:
        cmd = shlex.join(["git", "-C", git_dir, *args])
        lines.append(f'echo {shlex.quote("$ " + " ".join(args))}; {cmd} 2>&1; echo "rc=$?"')
    return "\n".join(lines)


def smoke(image: str, tmp: Path) -> None:
    image_size(image)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    out = podman(image, "-m", "releaser", "--version", entrypoint="python")
    check(out.returncode == 0, f"python -m releaser --version exits 0 ({out.stderr.strip()})")
    check(out.stdout.strip() == f"releaser {version}", f"version is {version}: {out.stdout!r}")

    code = f"import importlib; [importlib.import_module(m) for m in {MODULES!r}]"
    out = podman(image, "-c", code, entrypoint="python")
    check(out.returncode == 0, f"runtime dependencies import ({out.stderr.strip()[-300:]})")

    out = podman(image, "-c", BYTECODE_CHECK, entrypoint="python")
    check(out.returncode == 0, f"native extensions load ({out.stderr.strip()[-300:]})")
    check(out.stdout.strip() == "", f"imported modules have bytecode (missing: {out.stdout!r})")

    out = podman(image, "--version", entrypoint="git")
    check(out.returncode == 0 and out.stdout.startswith("git version "), out.stdout.strip())

    # perl and apt were purged through a stub package, which keeps dpkg's database consistent.
    script = (
        "dpkg-query -W -f='${db:Status-Status}\\n' releaser-git-without-perl; "
        "for p in perl liberror-perl apt; do "
        "[ \"$(dpkg-query -W -f='${db:Status-Status}' $p 2>/dev/null)\" = installed ] && echo $p; "
        "done; true"
    )
    out = podman(image, "-c", script, entrypoint="sh")
    check(out.stdout == "installed\n", f"the stub replaces perl, apt is gone: {out.stdout!r}")

    plumbing = tmp / "plumbing"
    plumbing_repo(plumbing)
    host_env = os.environ | {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    want = subprocess.run(
        ["sh", "-c", plumbing_script(str(plumbing))], env=host_env, capture_output=True, check=True
    ).stdout.replace(str(plumbing).encode(), b"/github/workspace")
    subprocess.run(["chown", "-R", f"{WORKSPACE_UID}:{WORKSPACE_UID}", str(plumbing)], check=True)
    got = subprocess.run(
        [*PODMAN_RUN, "-v", f"{plumbing}:/github/workspace", "--entrypoint", "sh", image,
         "-c", plumbing_script("/github/workspace")],
        capture_output=True, timeout=300, check=False,
    )  # fmt: skip
    check(
        got.returncode == 0 and got.stdout == want,
        f"git plumbing in the image matches the host's git ({len(GIT_PLUMBING)} commands)"
        + ("" if got.stdout == want else f"\n--- host\n{want!r}\n--- image\n{got.stdout!r}"),
    )
    check("café".encode() in got.stdout and "日本語".encode() in got.stdout,
          "Latin-1 and EUC-JP commit messages come out as UTF-8")  # fmt: skip

    out = podman(image, "-f", "/app/entrypoint.py", entrypoint="test")
    check(out.returncode == 0, "/app/entrypoint.py is in the image")

    repo = tmp / "foreign"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    git("commit", "-q", "--allow-empty", "-m", "feat: first", cwd=repo)
    subprocess.run(["chown", "-R", f"{WORKSPACE_UID}:{WORKSPACE_UID}", str(repo)], check=True)
    out = podman(
        image,
        "-C", "/github/workspace", "log", "--format=%s",
        mounts={repo: "/github/workspace"}, entrypoint="git",
    )  # fmt: skip
    check(out.returncode == 0 and out.stdout.strip() == "feat: first", "git reads the workspace")
    # Control: the same repository elsewhere must still be refused, so the config is not '*'.
    out = podman(image, "-C", "/elsewhere", "log", mounts={repo: "/elsewhere"}, entrypoint="git")
    check(out.returncode != 0 and "dubious ownership" in out.stderr, "other paths stay unsafe")


def _runner(fake, tmp: Path, event_name: str, event: dict, sha: str, inputs: dict) -> dict:
    """Env and mounts shaped like the runner's docker action invocation."""
    for d in ("workflow", "file_commands", "home", "runner_temp"):
        (tmp / d).mkdir(exist_ok=True)
    (tmp / "workflow" / "event.json").write_text(json.dumps(event))
    output = tmp / "file_commands" / "set_output"
    output.write_text("")
    (tmp / "file_commands" / "step_summary").write_text("")
    env = {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": fake.full_name,
        "GITHUB_REPOSITORY_OWNER": fake.owner,
        "GITHUB_API_URL": fake.api_url,
        "GITHUB_SERVER_URL": fake.urls.web,
        "GITHUB_GRAPHQL_URL": f"{fake.api_url}/graphql",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": "/github/workflow/event.json",
        "GITHUB_WORKSPACE": "/github/workspace",
        "GITHUB_SHA": sha,
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_REF_NAME": "main",
        "GITHUB_RUN_ID": "1000",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_ACTOR": "dev",
        "GITHUB_JOB": "release",
        "GITHUB_WORKFLOW": "release",
        "GITHUB_OUTPUT": "/github/file_commands/set_output",
        "GITHUB_STEP_SUMMARY": "/github/file_commands/step_summary",
        "RUNNER_OS": "Linux",
        "RUNNER_TEMP": "/github/runner_temp",
        "HOME": "/github/home",
    }
    env |= {f"INPUT_{k.upper()}": v for k, v in inputs.items()}
    return env


def _outputs(path: Path) -> dict[str, str]:
    """Parse `name<<DELIM ... DELIM` and `name=value` lines of a GITHUB_OUTPUT file."""
    out: dict[str, str] = {}
    lines = iter(path.read_text().splitlines())
    for line in lines:
        if "<<" in line:
            name, delim = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delim:
                    break
                body.append(inner)
            out[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
    return out


def _report(fake, run: subprocess.CompletedProcess) -> None:
    """Show the container's output and, when it failed, what the fake saw."""
    print(run.stdout, run.stderr, sep="\n")
    if run.returncode != 0:
        for call in fake.reset_requests()[-15:]:
            print(f"  fake: {call.method} {call.path} -> {call.status}")
        for violation in fake.violations:
            print(f"  fake violation: {violation}")


def _check_token_hidden(token: str, run: subprocess.CompletedProcess) -> None:
    # `::add-mask::<token>` is how the runner learns what to mask; nothing else may show it.
    shown = [
        ln
        for ln in (run.stdout + run.stderr).splitlines()
        if token in ln and not ln.startswith("::add-mask::")
    ]
    check(not shown, "the token is never printed")


def release(image: str, tmp: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.fakegithub import FakeGitHub, make_event

    with FakeGitHub(tmp / "fake", owner="acme", repo="widgets", default_branch="main") as fake:
        fake.commit("main", "chore: initial", {"README.md": "widgets\n"})
        sha = fake.commit("main", "feat: add a widget", {"widget.py": "WIDGET = 1\n"})
        ws = tmp / "ws"
        git("clone", "-q", fake.clone_url, str(ws))
        subprocess.run(["chown", "-R", f"{WORKSPACE_UID}:{WORKSPACE_UID}", str(ws)], check=True)
        mounts = {
            ws: "/github/workspace",
            tmp / "workflow": "/github/workflow",
            tmp / "file_commands": "/github/file_commands",
            tmp / "home": "/github/home",
            tmp / "runner_temp": "/github/runner_temp",
        }
        inputs = {"token": fake.token, "command": "auto", "config-file": ".github/releaser.yml"}
        push = make_event(
            "push", repo=fake.full_name, default_branch="main", ref="refs/heads/main", after=sha
        )
        env = _runner(fake, tmp, "push", push, sha, inputs)
        run = podman(image, mounts=mounts, env=env, extra=["-w", "/github/workspace"])
        _report(fake, run)
        check(run.returncode == 0, "first run (release PR) exits 0")
        outs = _outputs(tmp / "file_commands" / "set_output")
        check(outs.get("prs_created") == "true", f"prs_created is true: {outs}")
        open_prs = [p for p in fake.pulls.values() if p.state == "open"]
        check(len(open_prs) == 1, "exactly one open release PR")
        _check_token_hidden(fake.token, run)

        merged = fake.merge_pull(open_prs[0].number)
        # The workspace now belongs to the "runner" uid; trust exactly it for the host's git.
        trusted = ("-c", f"safe.directory={ws}", "-C", str(ws))
        git(*trusted, "fetch", "-q", "--tags", "origin", "+refs/heads/*:refs/remotes/origin/*")
        git(*trusted, "reset", "-q", "--hard", merged)
        subprocess.run(["chown", "-R", f"{WORKSPACE_UID}:{WORKSPACE_UID}", str(ws)], check=True)
        push = make_event(
            "push", repo=fake.full_name, default_branch="main", ref="refs/heads/main", after=merged
        )
        env = _runner(fake, tmp, "push", push, merged, inputs)
        run = podman(image, mounts=mounts, env=env, extra=["-w", "/github/workspace"])
        _report(fake, run)
        check(run.returncode == 0, "second run (publish) exits 0")
        outs = _outputs(tmp / "file_commands" / "set_output")
        check(outs.get("release_created") == "true", f"release_created is true: {outs}")
        tag = outs.get("tag_name", "")
        check(fake.tags().get(tag) == merged, f"tag {tag} points at the merge commit")
        release = fake.release_by_tag(tag)
        check(release is not None, f"release {tag} exists")
        _check_token_hidden(fake.token, run)
        # An auditor's check with the same image, as the README says: download every asset,
        # then `docker run --rm -v "$PWD:/w" -w /w IMAGE verify evidence/` (arguments: the CLI).
        assets = tmp / "auditor" / "evidence"
        assets.mkdir(parents=True)
        for asset in release.assets:
            (assets / asset.name).write_bytes(asset.data)
        (assets / "release-notes.md").write_text(release.body)
        names = sorted(a.name for a in release.assets)
        check("release-evidence.json" in names and "SHA256SUMS" in names, f"evidence: {names}")
        out = podman(
            image, "verify", "evidence/", mounts={assets.parent: "/w"}, extra=["-w", "/w"]
        )  # fmt: skip
        check(
            out.returncode == 0 and out.stdout.startswith(f"verified: {tag} "),
            f"IMAGE verify evidence/: {out.stdout.strip()} {out.stderr.strip()}",
        )
        (assets / "release-evidence.md").write_text("forged\n")
        out = podman(
            image, "verify", "evidence/", mounts={assets.parent: "/w"}, extra=["-w", "/w"]
        )  # fmt: skip
        check(
            out.returncode == 1
            and out.stderr.startswith("releaser: error: release-evidence.md is altered: "),
            f"IMAGE verify names the forged file: {out.stdout.strip()} {out.stderr.strip()}",
        )
        check(not fake.violations, f"no OpenAPI violations: {fake.violations}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", choices=("smoke", "release"))
    parser.add_argument("--image", default=os.environ.get("IMAGE", "localhost/releaser:dev"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="releaser-e2e-") as tmp:
        try:
            (smoke if args.scenario == "smoke" else release)(args.image, Path(tmp))
        except Failure as exc:
            print(f"FAIL: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
