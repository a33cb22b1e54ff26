#!/usr/bin/env bash
# Builds the example plugins from source into plugins/examples/dist/:
#   transcript-checker.wasm  (Python, componentize-py from PyPI)
#   promise-keeping.wasm     (Rust, wit-bindgen; then made a component by
#                             `cargo run -p goodwill-core --example componentize`)
#
# Needs: python3 with venv; for the Rust guest either a rustup toolchain with
# the wasm32-unknown-unknown target, or Debian's rustc-web + rust-web-src +
# lld-16 (apt-get install rustc-web rust-web-src lld-16), used through
# RUSTC_BOOTSTRAP=1 -Zbuild-std.
#
# Environment: OUT (default plugins/examples/dist), COMPONENTIZE_PY (a
# componentize-py to use instead of installing one into plugins/examples/.venv).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:-$here/dist}
wit=$root/plugins/wit
mkdir -p "$out"

step() { printf '==> %s\n' "$*" >&2; }

# --- Python: the transcript checker -----------------------------------------
componentize_py=${COMPONENTIZE_PY:-}
if [[ -z $componentize_py ]]; then
    if [[ ! -x $here/.venv/bin/componentize-py ]]; then
        step "installing componentize-py 0.25.1 into $here/.venv"
        python3 -m venv "$here/.venv"
        "$here/.venv/bin/pip" install --quiet componentize-py==0.25.1
    fi
    componentize_py=$here/.venv/bin/componentize-py
fi
step "building transcript-checker.wasm (componentize-py)"
(cd "$here/transcript-checker" &&
    "$componentize_py" -d "$wit" -w plugin componentize -p . app -o "$out/transcript-checker.wasm" >/dev/null)

# --- Rust: promise keeping --------------------------------------------------
target=wasm32-unknown-unknown
crate=$here/promise-keeping
if rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    step "building promise-keeping (rustup, $target)"
    (cd "$crate" && cargo build --quiet --release --target "$target")
elif [[ -x /usr/bin/rustc && -d /usr/lib/rustlib/src/rust/library ]] && command -v wasm-ld-16 >/dev/null; then
    step "building promise-keeping (Debian rustc-web, -Zbuild-std, $target)"
    (cd "$crate" &&
        RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc /usr/bin/cargo build --quiet --release \
            --target "$target" -Zbuild-std=std,panic_abort \
            --config "target.$target.linker=\"wasm-ld-16\"")
else
    echo "error: no Rust toolchain for $target: run \`rustup target add $target\`," >&2
    echo "       or \`apt-get install rustc-web rust-web-src lld-16\`" >&2
    exit 2
fi
step "making promise-keeping.wasm a component"
(cd "$root" && cargo run --quiet -p goodwill-core --example componentize -- \
    "$crate/target/$target/release/promise_keeping.wasm" "$out/promise-keeping.wasm")

ls -l "$out"/*.wasm >&2
