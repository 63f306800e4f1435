"""The package's own map: every module is named in ``podmotion/__init__.py``'s docstring."""

from __future__ import annotations

from pathlib import Path

import podmotion


def test_every_module_and_subpackage_is_in_the_package_docstring():
    root = Path(podmotion.__file__).parent
    names = {p.stem for p in root.glob("*.py") if p.stem != "__init__"}
    names |= {p.parent.name for p in root.glob("*/__init__.py")}
    missing = sorted(n for n in names if f"``{n}``" not in podmotion.__doc__)
    assert not missing, f"name these in src/podmotion/__init__.py: {missing}"
