//! `import::torch::from_safetensors` on arbitrary bytes into a small MLP.
//!
//! Properties: never panics; a file that loads writes back to a file that
//! loads to the same network.
#![no_main]

use constnet::import::torch;
use constnet::{Dense, Relu, Tanh};
use libfuzzer_sys::fuzz_target;

type Net = (Dense<3, 4>, Relu, Dense<4, 2>, Tanh);

fuzz_target!(|data: &[u8]| {
    if let Ok(net) = torch::from_safetensors::<Net>(data) {
        let again: Net = torch::from_safetensors(&torch::to_safetensors(&net).unwrap()).unwrap();
        assert_eq!(again, net);
    }
});
