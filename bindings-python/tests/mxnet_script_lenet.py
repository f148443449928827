"""A LeNet trained for a few steps on random data, written exactly as an Apache MXNet 1.x user would
write it (only the import differs: `import mxnet as mx` there). Prints the first and last loss and
exits non-zero unless the loss went down."""
import sys

import numpy as np
import mixnet as mx
from mixnet import gluon, autograd, nd
from mixnet.gluon import nn

mx.random.seed(42)
np.random.seed(42)

net = nn.HybridSequential()
with net.name_scope():
    net.add(nn.Conv2D(channels=6, kernel_size=5, activation='relu'),
            nn.MaxPool2D(pool_size=2, strides=2),
            nn.Conv2D(channels=16, kernel_size=3, activation='relu'),
            nn.MaxPool2D(pool_size=2, strides=2),
            nn.Flatten(),
            nn.Dense(120, activation='relu'),
            nn.Dense(84, activation='relu'),
            nn.Dense(10))
net.initialize(mx.init.Xavier())
net.hybridize()

batch = 16
data = nd.array(np.random.uniform(-1, 1, size=(batch, 1, 28, 28)).astype('float32'))
label = nd.array(np.random.randint(0, 10, size=(batch,)).astype('float32'))

softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()
trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1})

losses = []
for step in range(10):
    with autograd.record():
        output = net(data)
        loss = softmax_cross_entropy(output, label)
    loss.backward()
    trainer.step(batch)
    losses.append(loss.mean().asscalar())

print('first loss %.4f, last loss %.4f' % (losses[0], losses[-1]))
sys.exit(0 if losses[-1] < losses[0] else 1)
