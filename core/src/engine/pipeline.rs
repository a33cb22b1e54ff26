//! The ordered parallel pipeline: records are read in chunks on the calling
//! thread while the previous chunk is processed on a rayon pool; results
//! reach the sink in input order, so the output does not depend on the
//! number of threads.

use std::ops::ControlFlow;

use rayon::prelude::*;

use crate::input::{InputError, Interaction, RawRecord, Reject};

/// What a record weighs in a chunk: roughly its bytes, so that a chunk of
/// large records stays small.
pub trait Weigh {
    fn weight(&self) -> usize;
}

impl Weigh for RawRecord {
    fn weight(&self) -> usize {
        self.payload.byte_len()
    }
}

impl Weigh for Interaction {
    fn weight(&self) -> usize {
        self.payload.byte_len()
    }
}

/// A record decoded elsewhere, or the reason it could not be.
impl Weigh for Result<Interaction, Reject> {
    fn weight(&self) -> usize {
        match self {
            Ok(i) => i.weight(),
            Err(r) => r.text.len(),
        }
    }
}

/// Records per chunk.
const CHUNK_RECORDS: usize = 2048;
/// Bytes per chunk: a chunk of large records stays small.
const CHUNK_BYTES: usize = 4 * 1024 * 1024;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// Every record was processed.
    Complete,
    /// The sink asked to stop (a closed pipe).
    Stopped,
}

/// Runs `work` over every record on `jobs` threads and hands the results
/// to `sink` in input order, on the calling thread. A fault reading an input ends the run after
/// the records before it were processed.
pub fn run_ordered<I, R, T, W, S>(
    records: I,
    jobs: usize,
    work: W,
    mut sink: S,
) -> Result<Finish, InputError>
where
    I: Iterator<Item = Result<R, InputError>> + Send,
    R: Weigh + Send,
    T: Send,
    W: Fn(R) -> T + Sync + Send,
    S: FnMut(T) -> ControlFlow<()>,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .map_err(|e| InputError::Unreadable {
            name: "thread pool".to_string(),
            reason: e.to_string(),
        })?;
    let mut records = records;
    let mut fatal: Option<InputError> = None;
    // While the pool processes chunk n (and reads chunk n + 1), the calling
    // thread hands the results of chunk n - 1 to the sink.
    let mut current = read_chunk(&mut records, &mut fatal);
    let mut pending: Vec<T> = Vec::new();
    let mut stopped = false;
    while !(current.is_empty() && pending.is_empty()) {
        let mut results: Vec<T> = Vec::new();
        let mut next: Vec<R> = Vec::new();
        let chunk = std::mem::take(&mut current);
        let done = std::mem::take(&mut pending);
        pool.in_place_scope(|scope| {
            if !chunk.is_empty() {
                let (results, next) = (&mut results, &mut next);
                let (records, fatal, work) = (&mut records, &mut fatal, &work);
                scope.spawn(move |_| {
                    let (r, n) = rayon::join(
                        || chunk.into_par_iter().map(work).collect::<Vec<T>>(),
                        || {
                            if fatal.is_none() {
                                read_chunk(records, fatal)
                            } else {
                                Vec::new()
                            }
                        },
                    );
                    *results = r;
                    *next = n;
                });
            }
            for r in done {
                if sink(r).is_break() {
                    stopped = true;
                    break;
                }
            }
        });
        if stopped {
            return Ok(Finish::Stopped);
        }
        pending = results;
        current = next;
    }
    match fatal {
        Some(e) => Err(e),
        None => Ok(Finish::Complete),
    }
}

fn read_chunk<I, R>(records: &mut I, fatal: &mut Option<InputError>) -> Vec<R>
where
    I: Iterator<Item = Result<R, InputError>>,
    R: Weigh,
{
    let mut chunk = Vec::with_capacity(CHUNK_RECORDS);
    let mut bytes = 0usize;
    while chunk.len() < CHUNK_RECORDS && bytes < CHUNK_BYTES {
        match records.next() {
            None => break,
            Some(Ok(r)) => {
                bytes += r.weight();
                chunk.push(r);
            }
            Some(Err(e)) => {
                *fatal = Some(e);
                break;
            }
        }
    }
    chunk
}
