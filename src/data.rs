//! Toy data sets from the tutorials, generated into caller memory (`no_std`,
//! no heap): the mathspp quadrants and the NNFS spiral.

pub mod quadrants;
pub mod spiral;
