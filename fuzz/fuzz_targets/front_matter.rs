//! Fuzz target: arbitrary bytes through [`bimtek::fuzzing::front_matter`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| bimtek::fuzzing::front_matter(data));
