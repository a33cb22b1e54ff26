//! Writes one of the WAT plugin fixtures of `core/tests/fixtures` as a
//! component file, for benchmarks and manual runs outside the test suite.
//!
//! `cargo run -p goodwill-core --example write_fixture -- NAME OUT.wasm`
//! (NAME: well-behaved, finder, trap-on-one, sandbox-probe)

use std::process::ExitCode;

#[path = "../tests/fixtures/mod.rs"]
mod fixtures;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name, output] = args.as_slice() else {
        eprintln!("usage: write_fixture NAME OUT.wasm");
        return ExitCode::from(2);
    };
    let bytes = match name.as_str() {
        "well-behaved" => fixtures::well_behaved(),
        "finder" => fixtures::finder(),
        "trap-on-one" => fixtures::trap_on_one(),
        "sandbox-probe" => fixtures::sandbox_probe(),
        other => {
            eprintln!(
                "error: no fixture `{other}`: use well-behaved, finder, trap-on-one or sandbox-probe"
            );
            return ExitCode::from(2);
        }
    };
    match std::fs::write(output, bytes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write `{output}`: {e}");
            ExitCode::FAILURE
        }
    }
}
