// A Dense layer straight after a convolution: layers! asks for a Flatten.
use constnet::layers;

type Net = layers![input [8, 8, 1] => Conv2d(4, 3), Relu, Dense(10)];

fn main() {}
