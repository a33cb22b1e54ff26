//! The options that say how interactions are read, shared by `eval` and
//! `audit`.

use clap::{Args, ValueEnum};
use goodwill_core::input::{
    DEFAULT_MAX_RECORD_BYTES, InputError, InputFormat, Output, Records, StdinOrigin, expand,
    refuse_overwriting,
};

#[derive(Debug, Args)]
pub struct InputArgs {
    /// The inputs' format, whatever their names say.
    #[arg(long, value_enum)]
    pub input_format: Option<FormatArg>,

    /// Worker threads (default: every core). The output is the same for
    /// any number.
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,

    /// Reject records larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_RECORD_BYTES)]
    pub max_record_bytes: usize,

    /// Name standard input NAME in rejections and partial audits: a part
    /// of `log.jsonl` piped in keeps the file's name.
    #[arg(long, value_name = "NAME", default_value = "-")]
    pub stdin_name: String,

    /// Number standard input's lines from N + 1: a part of a file that
    /// starts at its line N + 1 keeps the file's line numbers.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub line_offset: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Jsonl,
    Json,
    Csv,
}

impl InputArgs {
    /// Worker threads to use.
    pub fn jobs(&self) -> usize {
        self.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        })
    }

    /// Every record of `inputs` (files, globs, `-`), in order; an error if
    /// one of the run's `outputs` is one of those files.
    pub fn records(
        &self,
        inputs: &[String],
        outputs: &[Output<'_>],
    ) -> Result<Records, InputError> {
        let forced = self.input_format.map(|f| match f {
            FormatArg::Jsonl => InputFormat::JsonLines,
            FormatArg::Json => InputFormat::JsonArray,
            FormatArg::Csv => InputFormat::Csv,
        });
        let specs = expand(inputs, forced)?;
        refuse_overwriting(&specs, outputs)?;
        Ok(
            Records::new(specs, self.max_record_bytes).with_stdin_origin(StdinOrigin {
                name: self.stdin_name.clone(),
                line_offset: self.line_offset,
            }),
        )
    }
}

/// Prints an input error, with its help line when it has one.
pub fn print_error(e: &InputError) {
    eprintln!("error: {e}");
    if let Some(help) = e.help() {
        eprintln!("  = help: {help}");
    }
}
