//! The world a plugin instance lives in: the state of its `Store`. It has no
//! ambient authority. WASI, for guests whose toolchain needs it, is an empty
//! context: no preopened directories, no environment, no arguments, no
//! network, stdin closed, a clock stopped at a fixed instant, randomness
//! from a fixed seed, stdout and stderr captured into a size-capped log.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
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
    /// Where the secure and the insecure random streams are.
    random_positions: [Arc<AtomicUsize>; 2],
}

/// The bytes of the secure and the insecure random streams, made once.
static SECURE_BYTES: LazyLock<Vec<u8>> = LazyLock::new(|| seeded_bytes(RANDOM_SEED));
static INSECURE_BYTES: LazyLock<Vec<u8>> = LazyLock::new(|| seeded_bytes(!RANDOM_SEED));

impl HostState {
    pub fn new(limits: &PluginLimits, log: &PluginLog) -> Self {
        let secure = Rewindable::new(&SECURE_BYTES);
        let insecure = Rewindable::new(&INSECURE_BYTES);
        let random_positions = [secure.position.clone(), insecure.position.clone()];
        let mut builder = WasiCtx::builder();
        builder
            .stdout(log.clone())
            .stderr(log.clone())
            .wall_clock(FixedClock)
            .monotonic_clock(FixedClock)
            .secure_random(secure)
            .insecure_random(insecure)
            .insecure_random_seed(u128::from(RANDOM_SEED))
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false);
        HostState {
            wasi: builder.build(),
            table: ResourceTable::new(),
            limiter: Limiter::new(limits),
            random_positions,
        }
    }

    /// Rewinds the random streams to their start, so that an interaction
    /// sees the same random bytes whichever interactions this instance
    /// evaluated before it: results do not depend on how records were
    /// spread over threads.
    pub fn rewind_randomness(&mut self) {
        for p in &self.random_positions {
            p.store(0, Ordering::Relaxed);
        }
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

/// A random stream cycling over fixed bytes, read as wasmtime's
/// `Deterministic` reads them (a u32 is 4 bytes big-endian, a u64 two
/// u32), whose position the store's state can reset.
struct Rewindable {
    bytes: &'static [u8],
    position: Arc<AtomicUsize>,
}

impl Rewindable {
    fn new(bytes: &'static [u8]) -> Self {
        Rewindable {
            bytes,
            position: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn next_byte(&mut self) -> u8 {
        // Only this store's thread moves the position.
        let at = self.position.load(Ordering::Relaxed);
        self.position
            .store((at + 1) % self.bytes.len(), Ordering::Relaxed);
        self.bytes[at % self.bytes.len()]
    }
}

impl rand_core::TryRng for Rewindable {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let b = [
            self.next_byte(),
            self.next_byte(),
            self.next_byte(),
            self.next_byte(),
        ];
        Ok(u32::from_be_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let high = self.try_next_u32()?;
        let low = self.try_next_u32()?;
        Ok((u64::from(high) << 32) | u64::from(low))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for b in dst {
            *b = self.next_byte();
        }
        Ok(())
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
    fn a_rewound_stream_starts_over_and_reads_like_wasmtimes_deterministic() {
        use rand_core::Rng;
        let bytes: &'static [u8] = &[1, 2, 3, 4, 5, 6, 7, 8, 9];
        let mut ours = Rewindable::new(bytes);
        let mut theirs = wasmtime_wasi::Deterministic::new(bytes.to_vec());
        let first = ours.next_u64();
        assert_eq!(first, theirs.next_u64());
        assert_eq!(ours.next_u32(), theirs.next_u32());
        ours.position.store(0, Ordering::Relaxed);
        assert_eq!(ours.next_u64(), first);
    }

    #[test]
    fn seeded_bytes_are_the_same_every_time_and_differ_by_seed() {
        assert_eq!(seeded_bytes(1), seeded_bytes(1));
        assert_ne!(seeded_bytes(1)[..8], seeded_bytes(2)[..8]);
    }
}
