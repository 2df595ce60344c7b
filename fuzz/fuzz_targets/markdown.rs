//! Fuzz target: arbitrary bytes through [`bimtek::fuzzing::markdown_body`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| bimtek::fuzzing::markdown_body(data));
