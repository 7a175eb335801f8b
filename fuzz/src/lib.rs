//! Shared by the fuzz targets: the networks they load and their seeds.
pub mod nets;
pub use nets::*;
