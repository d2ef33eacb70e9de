#!/usr/bin/env bash
# The whole test suite: Rust lints and tests, then the abi3 wheel built, installed into a fresh
# virtual environment and tested there: the stub of the extension (mypy.stubtest), pytest (unit,
# exactness, CLI, the docs' examples and doctests, slow tests included) and the docs site.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

# ISA-L inflates gzip twice as fast as zlib-rs; it builds from source with nasm and autotools.
# Without them everything still builds and is tested, with the pure-Rust inflate.
if command -v nasm >/dev/null && command -v autoreconf >/dev/null && command -v libtoolize >/dev/null; then
    features=(--features isal)
    export LDENRICH_EXPECT_DEFLATE=ISA-L
else
    echo "nasm/autoconf/automake/libtool not found: building with the zlib-rs inflate, not ISA-L" >&2
    features=()
    export LDENRICH_EXPECT_DEFLATE=zlib-rs
fi

echo "== Rust: format, clippy, core tests (no Python involved)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo test -p ldenrich-core --quiet
if [ ${#features[@]} -gt 0 ]; then
    # The readers again, on the ISA-L back end: same bytes, same errors.
    cargo clippy --workspace --all-targets --quiet "${features[@]}" -- -D warnings
    cargo test -p ldenrich-core --quiet "${features[@]}" --lib io::
fi

echo "== Python: the release abi3 wheel, as a user gets it, into a fresh virtual environment"
rm -rf .venv .venv-src dist
"$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip "maturin>=1.7,<2" "auditwheel>=6"
if [ ${#features[@]} -gt 0 ]; then
    # The published artefacts: a manylinux_2_28 wheel with ISA-L inside, and the sdist.
    bash scripts/build-wheels.sh
    shown=$(.venv/bin/auditwheel show dist/ldenrich-*-abi3-*.whl)
    echo "$shown"
    grep -q "manylinux_2_28" <<<"$shown"
else
    .venv/bin/maturin build --release --out dist --quiet
fi
wheel=$(ls dist/ldenrich-*-abi3-*.whl)
.venv/bin/python -m pip install --quiet "${wheel}[test,docs]"
# The wheel must work where no Rust toolchain exists: run everything below without one on PATH.
NO_RUST_PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -e '\.cargo' -e 'rustup' | paste -sd: -)

echo "== Python: lint, and the extension's stub against the extension"
.venv/bin/ruff check python tests benches scripts
.venv/bin/python -m mypy.stubtest ldenrich._native

echo "== Python: tests against the installed wheel"
# --pyargs collects the installed package's doctests; tests/ is collected as a path. -m ""
# undoes the default -m "not slow" of pyproject.toml: the slow tests run here.
PATH="$NO_RUST_PATH" .venv/bin/python -m pytest tests --doctest-modules --pyargs ldenrich \
    -p no:cacheprovider -q -m "" "$@"

echo "== Docs: the site, warnings as errors"
NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --quiet --site-dir "$(mktemp -d)"

echo "== Python: ldenrich demo from the installed wheel"
demo_dir=$(mktemp -d)
PATH="$NO_RUST_PATH" .venv/bin/ldenrich --version
PATH="$NO_RUST_PATH" .venv/bin/ldenrich demo --out "$demo_dir/" >/dev/null
test -s "$demo_dir/demo.report.html"
rm -rf "$demo_dir"

if [ ${#features[@]} -gt 0 ]; then
    echo "== Python: a plain source install (pip install sdist) finds nasm and builds ISA-L by itself"
    "$PYTHON" -m venv .venv-src
    .venv-src/bin/python -m pip install --quiet --upgrade pip
    .venv-src/bin/python -m pip install --quiet dist/ldenrich-*.tar.gz
    .venv-src/bin/python -c "import ldenrich, sys; print(ldenrich.describe_build()); \
sys.exit(ldenrich.build_info()['inflate'] != 'ISA-L')"
fi
