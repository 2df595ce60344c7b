//! Integration tests: the real `bimtek` binary run on small fixture projects.

mod bad_input;
mod browser;
mod build;
mod cdp;
mod check;
mod determinism;
mod escaping;
mod faults;
mod fuzz;
mod harness;
mod hostile;
mod incremental;
mod offline;
mod phone;
mod scaffold;
mod search;
mod serve;
mod serve_attack;
mod shard;
mod timeline;
