#!/usr/bin/env bash
# The whole test suite: Rust lints and tests, then the abi3 wheel built, installed into a fresh
# virtual environment and tested there with pytest (unit, exactness, CLI and doctests).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

echo "== Rust: format, clippy, core tests (no Python involved)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo test -p ldenrich-core --quiet

echo "== Python: release abi3 wheel into a fresh virtual environment"
rm -rf .venv dist
"$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip "maturin>=1.7,<2"
.venv/bin/maturin build --release --out dist --quiet
wheel=$(ls dist/ldenrich-*-abi3-*.whl)
.venv/bin/python -m pip install --quiet "${wheel}[test]"

echo "== Python: lint"
.venv/bin/ruff check python tests benches

echo "== Python: tests against the installed wheel"
# --pyargs collects the installed package's doctests; tests/ is collected as a path.
.venv/bin/python -m pytest tests --doctest-modules --pyargs ldenrich -p no:cacheprovider -q "$@"
