//! Host bindings generated from the WIT contract in `plugins/wit/`.

wasmtime::component::bindgen!({
    path: "../plugins/wit",
    world: "plugin",
});
