# flora-mcp tasks. `just` lists them; CI runs `just ci`.

python := "target/py/bin/python"

# List the recipes.
default:
    @just --list

# Build the FLORA tool component and the hostile test components for wasm32-wasip2.
build-guest:
    @rustup target list --installed | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2
    cargo build -p flora-guest --target wasm32-wasip2 --release
    @# Test components get their own target folder: they build the guest crate without its
    @# tool exports, which must not overwrite the real component. One at a time, so cargo
    @# does not unify the guest's features across them.
    cargo build -p egress-probe --target wasm32-wasip2 --release --target-dir target/test-components
    cargo build -p hostile --target wasm32-wasip2 --release --target-dir target/test-components
    cargo build -p hostile-std --target wasm32-wasip2 --release --target-dir target/test-components
    cargo build -p incompatible --target wasm32-wasip2 --release --target-dir target/test-components

# Build everything: the components, the flora-mcp host and the fake FLORA.
build: build-guest
    cargo build -p flora-mcp -p fake-flora

# Build a release flora-mcp binary with the component built in (target/release/flora-mcp).
release: build-guest
    cargo build -p flora-mcp --release

# Build the release component and sign it with FLORA_MCP_SIGNING_KEY (64 hex digits): writes
# target/wasm32-wasip2/release/flora_guest.wasm and flora_guest.wasm.sig beside it.
publish-component: build-guest
    @test -n "${FLORA_MCP_SIGNING_KEY:-}" || { echo "set FLORA_MCP_SIGNING_KEY (see flora-mcp component keygen)" >&2; exit 1; }
    cargo run --quiet -p flora-mcp -- component sign target/wasm32-wasip2/release/flora_guest.wasm

# A Python environment with the official MCP SDK, for the demo and the client tests.
py-env:
    @test -x {{python}} || python3 -m venv target/py
    @{{python}} -m pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt

# Start a fake FLORA on loopback and run a real MCP client session through flora-mcp.
demo: build py-env
    cd tests/python && ../../{{python}} demo.py

# Run every test: Rust unit and integration tests, then the official MCP SDK client tests.
test: build py-env
    cargo test -p flora-guest -p flora-mcp -p fake-flora -p flora-bench
    cd tests/python && ../../{{python}} -m pytest -q

# Serve MCP on stdio with the settings in the environment (FLORA_API_KEY, FLORA_BASE_URL, …).
run log="info": build
    FLORA_MCP_LOG={{log}} target/debug/flora-mcp

# Format all code.
fmt:
    cargo fmt --all

# Check formatting as CI does.
fmt-check:
    cargo fmt --all -- --check

# Clippy with warnings as errors: native crates, then the components for wasm32.
lint: build-guest
    cargo clippy -p flora-mcp -p fake-flora -p flora-guest -p flora-bench --all-targets -- -D warnings
    cargo clippy -p flora-guest --target wasm32-wasip2 -- -D warnings
    cargo clippy -p egress-probe --target wasm32-wasip2 --target-dir target/test-components -- -D warnings
    cargo clippy -p hostile --target wasm32-wasip2 --target-dir target/test-components -- -D warnings
    cargo clippy -p hostile-std --target wasm32-wasip2 --target-dir target/test-components -- -D warnings
    cargo clippy -p incompatible --target wasm32-wasip2 --target-dir target/test-components -- -D warnings

# Everything CI checks.
ci: fmt-check lint test

# Benchmark flora-mcp beside the official FLORA MCP server (npm) and check tests/bench/budgets.toml.
bench: build-guest
    cargo build --release -p flora-mcp -p fake-flora -p flora-bench
    @mkdir -p target/bench/official && cp tests/bench/official/package.json target/bench/official/
    @cd target/bench/official && npm install --no-audit --no-fund --loglevel=error \
        || echo "npm install failed: the official server will not be measured" >&2
    target/release/flora-bench
