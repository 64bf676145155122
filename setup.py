"""Build hook: generate k3py's OpenAPI bundle from kubernetes-validate while building.

Everything about the project is in pyproject.toml; this file only adds one step to ``build_py``:
``scripts/gen_openapi.py`` turns the Kubernetes schemas carried by the PyPI package
kubernetes-validate (a build requirement, so never needed at run time) into
``k3py/api/data/definitions.json.gz``.

- Wheel builds (``pip install .``, scripts/install.sh, a PyInstaller build from an installed
  k3py): the file is written into the build directory, so it ships in the wheel and the source
  tree is left alone.
- Editable installs (``pip install -e '.[dev]'``, scripts/test.sh): the package is imported from
  the source tree, so the file is written there (and is not committed: it is a build product).
- A source tree built without the generator at hand (an sdist whose ``scripts/`` was dropped, or
  ``--no-build-isolation`` without kubernetes-validate) reuses a bundle that is already there,
  and fails with the reason when there is none.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parent
GENERATOR = ROOT / "scripts" / "gen_openapi.py"
BUNDLE = Path("k3py", "api", "data", "definitions.json.gz")


def _generator() -> ModuleType | None:
    if not GENERATOR.is_file():
        return None
    spec = importlib.util.spec_from_file_location("k3py_gen_openapi", GENERATOR)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithOpenAPI(build_py):
    """``build_py`` plus the generated OpenAPI bundle."""

    def run(self) -> None:
        super().run()
        target = ROOT / BUNDLE if self.editable_mode else Path(self.build_lib) / BUNDLE
        existing = ROOT / BUNDLE
        generator = _generator()
        try:
            if generator is None:
                raise RuntimeError(f"{GENERATOR} is missing")
            data = generator.build()
        except Exception as exc:
            if not existing.is_file():
                raise RuntimeError(f"cannot generate {BUNDLE}: {exc}") from exc
            self.announce(f"reusing {existing}: cannot generate it ({exc})", level=3)
            data = existing.read_bytes()
        if generator is not None:
            generator.write(target, data)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        self.announce(f"wrote {target} ({len(data)} bytes)", level=3)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not self.editable_mode:
            bundle = os.path.join(self.build_lib, str(BUNDLE))
            if bundle not in outputs:
                outputs.append(bundle)
        return outputs


class SdistWithGenerator(sdist):
    """``sdist`` that also carries the generator, so a wheel built from it can run it."""

    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        target = os.path.join(base_dir, "scripts", "gen_openapi.py")
        self.mkpath(os.path.dirname(target))
        self.copy_file(str(GENERATOR), target)


setup(cmdclass={"build_py": BuildPyWithOpenAPI, "sdist": SdistWithGenerator})
