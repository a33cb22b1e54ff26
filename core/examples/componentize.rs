//! Turns a core WebAssembly module that carries its WIT (a `component-type`
//! custom section, as `wit_bindgen::generate!` embeds) into a component:
//! what `wasm-tools component new` does, for building the example plugins
//! without installing wasm-tools.
//!
//! `cargo run -p goodwill-core --example componentize -- IN.wasm OUT.wasm`

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: componentize IN.wasm OUT.wasm");
        return ExitCode::from(2);
    };
    let result = std::fs::read(input)
        .map_err(|e| format!("cannot read `{input}`: {e}"))
        .and_then(|module| {
            wit_component::ComponentEncoder::default()
                .module(&module)
                .and_then(|encoder| encoder.validate(true).encode())
                .map_err(|e| format!("cannot make a component of `{input}`: {e:#}"))
        })
        .and_then(|component| {
            std::fs::write(output, component).map_err(|e| format!("cannot write `{output}`: {e}"))
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
