#!/usr/bin/env bash
# Release artefacts into dist/: a manylinux_2_28 abi3 x86_64 wheel with the ISA-L inflate
# linked in statically, and the sdist. The wheel targets the default x86-64 baseline (SSE2);
# ISA-L and zlib-rs choose their SIMD kernels at run time, so it runs on any x86-64 Linux
# with glibc >= 2.28 at full speed. nasm and autotools are needed here, at build time only.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
PLATFORM=${LDENRICH_WHEEL_PLATFORM:-manylinux_2_28}

missing=()
for tool in nasm autoreconf libtoolize; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get install -y -qq nasm autoconf automake libtool >/dev/null
    else
        echo "build-wheels: ${missing[*]} not found (apt-get install nasm autoconf automake libtool)" >&2
        exit 1
    fi
fi

venv=.venv-wheels
[ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
# zig links against glibc 2.28's symbol versions whatever glibc this machine has (ziglang is
# zig packaged on PyPI); without it a build on a newer distribution is not manylinux_2_28.
"$venv/bin/python" -m pip install --quiet --upgrade pip "maturin>=1.7,<2" "auditwheel>=6" "ziglang>=0.13"
rm -rf dist
# maturin finds zig through `python -m ziglang`, with the first python on PATH.
export PATH="$PWD/$venv/bin:$PATH"
# maturin checks the glibc symbol versions against the platform tag and refuses a wheel
# that would not load there.
# ISA-L's autotools build cannot use zig's cc wrapper, so its static library is compiled by the
# system C compiler (cc-rs reads the hyphenated variable before the one maturin sets); it calls
# only long-standing libc functions, and maturin checks the linked result against the tag.
env "CC_x86_64-unknown-linux-gnu=${CC:-cc}" "AR_x86_64-unknown-linux-gnu=${AR:-ar}" \
    "$venv/bin/maturin" build --release --features isal --compatibility "$PLATFORM" --zig --out dist
"$venv/bin/maturin" sdist --out dist
wheel=$(ls dist/ldenrich-*-abi3-*.whl)
"$venv/bin/auditwheel" show "$wheel"
echo "built: $(ls dist)"
