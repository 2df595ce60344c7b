//! Fuzz target: arbitrary bytes through [`bimtek::fuzzing::schedule_file`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| bimtek::fuzzing::schedule_file(data));
