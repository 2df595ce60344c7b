//! Fuzz target: arbitrary bytes through [`bimtek::fuzzing::search_text`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| bimtek::fuzzing::search_text(data));
