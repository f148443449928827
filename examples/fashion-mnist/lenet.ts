// LeNet-5 as MXNet's tutorials build it: two 5x5 convolutions with max pooling, then two dense
// layers. Input sizes are given, so the parameters exist right after initialize() (a checkpoint
// can be loaded before the first batch).
import * as mx from 'mixnet';

const { nn } = mx.gluon;

export function lenet(): mx.gluon.HybridSequential {
  const net = new nn.HybridSequential();
  net.add(
    new nn.Conv2D(20, 5, { activation: 'relu', inChannels: 1 }),
    new nn.MaxPool2D({ poolSize: 2, strides: 2 }),
    new nn.Conv2D(50, 5, { activation: 'relu', inChannels: 20 }),
    new nn.MaxPool2D({ poolSize: 2, strides: 2 }),
    new nn.Flatten(),
    new nn.Dense(500, { activation: 'relu', inUnits: 800 }),
    new nn.Dense(10, { inUnits: 500 }),
  );
  return net;
}
