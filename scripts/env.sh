# Sourced by the scripts: the tool paths every step uses.
# npm's wasm-opt (binaryen 132) comes first: Debian's binaryen 108 breaks the module.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
cd "$ROOT"
