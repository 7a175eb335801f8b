// A 3-value target for a 2-output prediction.
use constnet::loss::{Loss, Mse};

fn main() {
    let prediction = [0.5f32, 0.5];
    Mse::MEAN.loss(&prediction, &[1.0f32, 0.0, 0.0]);
}
