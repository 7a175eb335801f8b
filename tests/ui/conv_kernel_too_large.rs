// A 5×5 kernel on a 4×4 image without padding: layers! computes the output
// size while type-checking and stops there (`cargo check` reports it).
use constnet::layers;

type Net = layers![input [4, 4, 1] => Conv2d(2, 5)];

fn main() {
    let _ = Net::zeros();
}
