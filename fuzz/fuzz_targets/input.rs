//! Decoding (as plain text and as HTML) and segmentation of arbitrary bytes: no panic, and every
//! unit's offsets point at its text (`privclause::fixtures::check_input`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| privclause::fixtures::check_input(bytes));
