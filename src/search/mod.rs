//! Stage 6, search: which pages a regency's search finds, Indonesian stemming, and the index shards
//! the browser loads.

pub mod cache;
pub mod docs;
pub mod index;
pub mod state;
pub mod stem;
