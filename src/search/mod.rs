//! Stage 6, search: Indonesian stemming (and, in time, the index shards the browser loads).

pub mod index;
pub mod stem;
