//! `--input-units` parsing of arbitrary text: one unit per line, or an error naming the line;
//! never a panic (`privclause::fixtures::check_input_units`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| privclause::fixtures::check_input_units(text));
