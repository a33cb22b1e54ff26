//! The world a plugin instance lives in: the state of its `Store`. It has no
//! ambient authority. WASI, for guests whose toolchain needs it, is an empty
//! context: no preopened directories, no environment, no arguments, no
//! network, stdin closed, a clock stopped at a fixed instant, randomness
//! from a fixed seed, stdout and stderr captured into a size-capped log.

use std::pin::Pin;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxView, WasiView};

use super::limits::PluginLimits;

/// The instant every plugin's wall clock shows: 2024-01-01T00:00:00Z.
/// Results must not depend on when a run happens.
const FIXED_UNIX_SECONDS: u64 = 1_704_067_200;

/// The seed of every plugin's randomness (an instance is re-created after
/// a trap, so the same record sees the same bytes whatever came before).
const RANDOM_SEED: u64 = 0x676f_6f64_7769_6c6c; // "goodwill"

/// The state of one plugin instance's store.
pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    limiter: Limiter,
    log: PluginLog,
}

/// The bytes of the secure and the insecure random streams, made once.
static SECURE_BYTES: LazyLock<Vec<u8>> = LazyLock::new(|| seeded_bytes(RANDOM_SEED));
static INSECURE_BYTES: LazyLock<Vec<u8>> = LazyLock::new(|| seeded_bytes(!RANDOM_SEED));

/// The empty WASI context, its random streams at their start.
fn wasi_ctx(log: &PluginLog) -> WasiCtx {
    let mut builder = WasiCtx::builder();
    builder
        .stdout(log.clone())
        .stderr(log.clone())
        .wall_clock(FixedClock)
        .monotonic_clock(FixedClock)
        .secure_random(wasmtime_wasi::Deterministic::new(SECURE_BYTES.clone()))
        .insecure_random(wasmtime_wasi::Deterministic::new(INSECURE_BYTES.clone()))
        .insecure_random_seed(u128::from(RANDOM_SEED))
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false);
    builder.build()
}

impl HostState {
    pub fn new(limits: &PluginLimits, log: &PluginLog) -> Self {
        HostState {
            wasi: wasi_ctx(log),
            table: ResourceTable::new(),
            limiter: Limiter::new(limits),
            log: log.clone(),
        }
    }

    /// Rewinds the random streams to their start (a fresh WASI context),
    /// so that an interaction sees the same random bytes whichever
    /// interactions this instance evaluated before it: results do not
    /// depend on how records were spread over threads.
    pub fn rewind_randomness(&mut self) {
        self.wasi = wasi_ctx(&self.log);
    }

    pub fn limiter(&mut self) -> &mut dyn ResourceLimiter {
        &mut self.limiter
    }

    /// Whether the instance was refused memory since the last call to
    /// [`HostState::take_memory_refused`].
    pub fn take_memory_refused(&mut self) -> bool {
        std::mem::take(&mut self.limiter.refused)
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// wasmtime's `StoreLimits` (memory cap, trap on grow failure), noting when
/// it refused so that the error can say "memory" rather than a bare trap.
struct Limiter {
    inner: StoreLimits,
    refused: bool,
}

impl Limiter {
    fn new(limits: &PluginLimits) -> Self {
        let inner = StoreLimitsBuilder::new()
            .memory_size(limits.memory_bytes())
            .table_elements(limits.memory_bytes() / 8)
            .instances(64)
            .tables(64)
            .memories(16)
            .trap_on_grow_failure(true)
            .build();
        Limiter {
            inner,
            refused: false,
        }
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let verdict = self.inner.memory_growing(current, desired, maximum);
        if !matches!(verdict, Ok(true)) {
            self.refused = true;
        }
        verdict
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.refused = true;
        self.inner.memory_grow_failed(error)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let verdict = self.inner.table_growing(current, desired, maximum);
        if !matches!(verdict, Ok(true)) {
            self.refused = true;
        }
        verdict
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.refused = true;
        self.inner.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.inner.instances()
    }

    fn tables(&self) -> usize {
        self.inner.tables()
    }

    fn memories(&self) -> usize {
        self.inner.memories()
    }
}

/// A clock stopped at [`FIXED_UNIX_SECONDS`].
struct FixedClock;

impl HostWallClock for FixedClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::from_secs(FIXED_UNIX_SECONDS)
    }
}

impl HostMonotonicClock for FixedClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}

/// 4 KiB of pseudo-random bytes from `seed` (splitmix64), cycled by the
/// deterministic generator.
fn seeded_bytes(seed: u64) -> Vec<u8> {
    let mut state = seed;
    let mut bytes = Vec::with_capacity(4096);
    while bytes.len() < 4096 {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        bytes.extend_from_slice(&z.to_le_bytes());
    }
    bytes
}

/// A plugin's stdout and stderr, shared by every instance of one runner and
/// kept up to a cap; writes past the cap are dropped, and counted.
#[derive(Clone, Default)]
pub struct PluginLog {
    inner: Arc<Mutex<LogBuffer>>,
}

#[derive(Default)]
struct LogBuffer {
    capacity: usize,
    bytes: Vec<u8>,
    dropped: u64,
}

impl PluginLog {
    pub fn new(capacity: usize) -> Self {
        PluginLog {
            inner: Arc::new(Mutex::new(LogBuffer {
                capacity,
                bytes: Vec::new(),
                dropped: 0,
            })),
        }
    }

    fn append(&self, data: &[u8]) {
        let mut buf = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let room = buf.capacity.saturating_sub(buf.bytes.len());
        let kept = room.min(data.len());
        buf.bytes.extend_from_slice(&data[..kept]);
        buf.dropped += (data.len() - kept) as u64;
    }

    /// What the plugin wrote so far (lossy UTF-8) and how many bytes were
    /// dropped past the cap.
    pub fn contents(&self) -> (String, u64) {
        let buf = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        (
            String::from_utf8_lossy(&buf.bytes).into_owned(),
            buf.dropped,
        )
    }
}

impl IsTerminal for PluginLog {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for PluginLog {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for PluginLog {
    async fn ready(&mut self) {}
}

impl OutputStream for PluginLog {
    fn write(&mut self, bytes: bytes::Bytes) -> StreamResult<()> {
        self.append(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 * 1024)
    }
}

impl tokio::io::AsyncWrite for PluginLog {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.append(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plugin_log_keeps_up_to_its_capacity_and_counts_the_rest() {
        let log = PluginLog::new(8);
        log.append(b"hello ");
        log.append(b"world");
        assert_eq!(log.contents(), ("hello wo".to_string(), 3));
    }

    #[test]
    fn seeded_bytes_are_the_same_every_time_and_differ_by_seed() {
        assert_eq!(seeded_bytes(1), seeded_bytes(1));
        assert_ne!(seeded_bytes(1)[..8], seeded_bytes(2)[..8]);
    }
}
