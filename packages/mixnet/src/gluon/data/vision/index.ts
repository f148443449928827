// mx.gluon.data.vision: image datasets and transforms.
import * as transforms from './transforms.js';

export { transforms };
export { MNIST, FashionMNIST, type MNISTOptions } from './datasets.js';
