//! Fuzz target: arbitrary bytes through [`bimtek::fuzzing::config_file`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| bimtek::fuzzing::config_file(data));
