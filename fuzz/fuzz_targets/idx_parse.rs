//! `data::idx::parse`, the in-memory IDX parser behind `read_images`,
//! `read_labels` and `load_dir` (which themselves only read files), on
//! arbitrary bytes and any number of dimensions; then what `read_images`
//! does with a parsed 3-dimensional file.
//!
//! Input: the number of dimensions (1 byte), then the file.
//! Properties: never panics; on success the dimensions multiply to exactly
//! the data's length and header + data is the whole input.
#![no_main]

use constnet::data::idx;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((&ndim, bytes)) = data.split_first() else { return };
    let path = Path::new("fuzz.idx");
    for ndim in [ndim, 1, 3] {
        let Ok((dims, body)) = idx::parse(path, bytes, ndim) else { continue };
        assert_eq!(dims.len(), ndim as usize);
        let total = dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        assert_eq!(total, Some(body.len()));
        assert_eq!(4 + 4 * ndim as usize + body.len(), bytes.len());
        if ndim == 3 {
            // read_images::<4> after parse.
            if dims[1].checked_mul(dims[2]) == Some(4) {
                let images: Vec<[f32; 4]> = body
                    .chunks_exact(4)
                    .map(|img| core::array::from_fn(|i| idx::Scale::Centered.apply(img[i])))
                    .collect();
                assert_eq!(images.len(), dims[0]);
            }
        }
    }
});
