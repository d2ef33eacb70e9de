"""PEP 517 build backend: maturin's, building with the ISA-L inflate whenever its tools are here.

ISA-L inflates gzip about twice as fast as zlib-rs but builds from source with nasm and
autotools. ``pip install .`` therefore looks for them: found, the build gets ``--features isal``;
missing, it says so once and builds with zlib-rs (same bytes and errors, slower on gzip).
``LDENRICH_INFLATE=zlib-rs`` or ``=isal`` forces a choice; features already given in
``MATURIN_PEP517_ARGS`` (or build arguments in the config settings) are left alone.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

import maturin

_ISAL_TOOLS = ("nasm", "autoreconf", "libtoolize")
_ARGS = "MATURIN_PEP517_ARGS"


def _choose_inflate(config_settings: Any) -> None:
    args = os.environ.get(_ARGS, "")
    given = config_settings or {}
    if "--features" in args or "-F " in args or {"maturin.build-args", "build-args"} & set(given):
        return
    wanted = os.environ.get("LDENRICH_INFLATE", "auto").strip().lower()
    if wanted not in ("auto", "isal", "zlib-rs"):
        raise SystemExit(f"LDENRICH_INFLATE must be auto, isal or zlib-rs; got {wanted!r}")
    missing = [tool for tool in _ISAL_TOOLS if shutil.which(tool) is None]
    if wanted == "isal" or (wanted == "auto" and not missing):
        os.environ[_ARGS] = f"{args} --features isal".strip()
        print("ldenrich: building with the ISA-L inflate", file=sys.stderr)
    elif wanted == "auto":
        print(
            f"ldenrich: {', '.join(missing)} not found: building with the zlib-rs inflate "
            "(gzip input reads about 2x slower; install nasm, autoconf, automake and libtool "
            "for ISA-L)",
            file=sys.stderr,
        )


def build_wheel(wheel_directory: str, config_settings: Any = None, metadata_directory: Any = None):
    _choose_inflate(config_settings)
    return maturin.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(
    wheel_directory: str, config_settings: Any = None, metadata_directory: Any = None
):
    _choose_inflate(config_settings)
    return maturin.build_editable(wheel_directory, config_settings, metadata_directory)


build_sdist = maturin.build_sdist
get_requires_for_build_wheel = maturin.get_requires_for_build_wheel
get_requires_for_build_sdist = maturin.get_requires_for_build_sdist
get_requires_for_build_editable = maturin.get_requires_for_build_editable
prepare_metadata_for_build_wheel = maturin.prepare_metadata_for_build_wheel
prepare_metadata_for_build_editable = maturin.prepare_metadata_for_build_editable
