//! `privclause segment`: print clause units as JSONL.

use super::InputArgs;
use clap::Args;
use privclause::input;
use privclause::segment::{segment_file, SegmentOptions, DEFAULT_MAX_UNIT_CHARS};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct SegmentArgs {
    /// Files or directories to read (directories: .txt/.md/.html/.htm, recursively, sorted);
    /// `-` reads standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Longest unit in chars; longer ones are cut at a comma (≈ tokens for BERT-Chinese).
    #[arg(long, default_value_t = DEFAULT_MAX_UNIT_CHARS, value_parser = clap::value_parser!(usize))]
    pub max_unit_chars: usize,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Prints the units of every input as JSONL; per-file errors go to stderr and make the exit
/// code 1, the other files are still processed.
pub fn run(args: SegmentArgs) -> anyhow::Result<ExitCode> {
    let opts = SegmentOptions {
        max_unit_chars: args.max_unit_chars.max(1),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = 0usize;
    let collected = input::collect_files(&args.paths, args.input.follow);
    let found = collected.files.len();
    for entry in collected.files {
        let units = entry.and_then(|path| {
            let doc = path.to_string_lossy().into_owned();
            segment_file(&path, &doc, &opts, args.input.max_file_size)
        });
        let units = match units {
            Ok(ok) => ok,
            Err(err) => {
                out.flush()?;
                eprintln!("privclause segment: {err}");
                failed += 1;
                continue;
            }
        };
        for unit in units {
            serde_json::to_writer(&mut out, &unit)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    let nothing_found = super::report_inputs(&collected.skipped_links, found, super::POLICY_FILES);
    Ok(if failed > 0 || nothing_found {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
