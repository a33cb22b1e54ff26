//! What a plugin may import. goodwill grants no capability of its own; the
//! only imports allowed are the WASI 0.2 interfaces guest toolchains link
//! whether or not the code uses them (componentize-py's CPython imports
//! all of these, sockets included), and they are linked to an empty context
//! (see `sandbox`): no preopened directory, so no file can be opened; TCP,
//! UDP and name lookup disabled, so every socket call fails with
//! `access-denied`. HTTP and anything else is refused at load, naming the
//! import.

use wasmtime::Engine;
use wasmtime::component::Component;

/// The WASI interfaces a plugin may import (any 0.2.x version).
pub const GRANTED: &[&str] = &[
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:clocks/monotonic-clock",
    "wasi:clocks/wall-clock",
    "wasi:filesystem/preopens",
    "wasi:filesystem/types",
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    // Linked, but TCP, UDP and name lookup are disabled in every context.
    "wasi:sockets/network",
    "wasi:sockets/instance-network",
    "wasi:sockets/tcp",
    "wasi:sockets/tcp-create-socket",
    "wasi:sockets/udp",
    "wasi:sockets/udp-create-socket",
    "wasi:sockets/ip-name-lookup",
];

/// The names of everything `component` imports, in its order.
pub fn imports(engine: &Engine, component: &Component) -> Vec<String> {
    component
        .component_type()
        .imports(engine)
        .map(|(name, _)| name.to_string())
        .collect()
}

/// The version of `goodwill:policy` the component was built against, when
/// it is not the one this host implements: read from the names of its
/// exports and imports (`goodwill:policy/policy@0.1.0`).
pub fn other_contract_version(
    engine: &Engine,
    component: &Component,
    imports: &[String],
) -> Option<String> {
    let ty = component.component_type();
    let exports: Vec<String> = ty.exports(engine).map(|(n, _)| n.to_string()).collect();
    exports
        .iter()
        .chain(imports)
        .filter_map(|name| name.strip_prefix("goodwill:policy/")?.split_once('@'))
        .map(|(_, version)| version)
        .find(|version| *version != super::CONTRACT_VERSION)
        .map(str::to_string)
}

/// The first import that is not granted, if any.
pub fn first_forbidden(imports: &[String]) -> Option<&str> {
    imports
        .iter()
        .map(String::as_str)
        .find(|name| !is_granted(name))
}

fn is_granted(import: &str) -> bool {
    // The contract's own type definitions: types only, no functions.
    if import.strip_prefix("goodwill:policy/types@") == Some(super::CONTRACT_VERSION) {
        return true;
    }
    let (unversioned, version) = match import.split_once('@') {
        Some((name, version)) => (name, Some(version)),
        None => (import, None),
    };
    GRANTED.contains(&unversioned) && version.is_none_or(|v| v.starts_with("0.2."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasi_cli_and_io_are_granted_at_any_0_2_version() {
        assert!(is_granted("wasi:cli/stdout@0.2.0"));
        assert!(is_granted("wasi:io/streams@0.2.6"));
    }

    #[test]
    fn http_and_other_wasi_versions_are_not_granted() {
        assert!(!is_granted("wasi:http/outgoing-handler@0.2.0"));
        assert!(!is_granted("wasi:sockets/tcp@0.3.0"));
        assert!(!is_granted("wasi:cli/stdout@0.3.0"));
    }

    #[test]
    fn first_forbidden_names_the_offending_import() {
        let imports = vec![
            "wasi:io/streams@0.2.0".to_string(),
            "evil:net/socket".to_string(),
        ];
        assert_eq!(first_forbidden(&imports), Some("evil:net/socket"));
    }
}
