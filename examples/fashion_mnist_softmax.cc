// The main job until the TypeScript Gluon example lands: multinomial logistic regression
// (softmax regression) trained with minibatch SGD on Fashion-MNIST, written only against the
// public C ABI (engine/include/mixnet/c_api.h). Every step is an operator pushed to the
// dependency scheduler; the program waits only when it reads a loss or an accuracy back.
//
//   fashion_mnist_softmax [--data DIR] [--epochs N] [--batch N] [--lr X] [--synthetic]
//                         [--out FILE.params]
//
// Data: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist, IDX files, gzip).
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "mixnet/c_api.h"

namespace {

void Check(int rc) {
  if (rc != 0) throw std::runtime_error(MXGetLastError());
}

// Owns one NDArrayHandle.
class Array {
 public:
  Array() = default;
  explicit Array(NDArrayHandle h) : h_(h) {}
  Array(const std::vector<dim_t>& shape, int dtype = MX_FLOAT32) {
    Check(MXNDArrayCreate64(shape.data(), static_cast<int>(shape.size()), MX_CPU, 0, dtype, &h_));
  }
  Array(Array&& o) noexcept : h_(o.h_) { o.h_ = nullptr; }
  Array& operator=(Array&& o) noexcept {
    std::swap(h_, o.h_);
    return *this;
  }
  Array(const Array&) = delete;
  Array& operator=(const Array&) = delete;
  ~Array() {
    if (h_) MXNDArrayFree(h_);
  }
  NDArrayHandle get() const { return h_; }

  Array Slice(dim_t begin, dim_t end) const {
    NDArrayHandle out;
    Check(MXNDArraySlice64(h_, begin, end, &out));
    return Array(out);
  }
  template <typename T>
  void CopyFrom(const std::vector<T>& v) {
    Check(MXNDArraySyncCopyFromCPU(h_, v.data(), v.size()));
  }
  float Scalar() const {
    float v;
    Check(MXNDArraySyncCopyToCPU(h_, &v, 1));
    return v;
  }

 private:
  NDArrayHandle h_ = nullptr;
};

using Params = std::vector<std::pair<const char*, std::string>>;

// Runs a single-output op: out = op(inputs..., params).
Array Op(const char* name, std::initializer_list<const Array*> inputs, const Params& params = {}) {
  OpHandle op;
  Check(NNGetOpHandle(name, &op));
  std::vector<NDArrayHandle> in;
  for (const Array* a : inputs) in.push_back(a->get());
  std::vector<const char*> keys, vals;
  for (const auto& [k, v] : params) {
    keys.push_back(k);
    vals.push_back(v.c_str());
  }
  int num_out = 0;
  NDArrayHandle* outs = nullptr;
  Check(MXImperativeInvoke(op, static_cast<int>(in.size()), in.data(), &num_out, &outs,
                           static_cast<int>(keys.size()), keys.data(), vals.data()));
  if (num_out != 1) throw std::runtime_error(std::string(name) + ": expected one output");
  return Array(outs[0]);
}

// Reads a gzip'd IDX file: returns the dims and the raw uint8 payload.
std::vector<uint8_t> ReadIdx(const std::string& path, std::vector<uint32_t>* dims) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) {
    throw std::runtime_error("cannot open " + path +
                             " (install Debian's dataset-fashion-mnist, or pass --synthetic)");
  }
  auto read_exact = [&](void* dst, size_t n) {
    if (gzread(f, dst, static_cast<unsigned>(n)) != static_cast<int>(n)) {
      gzclose(f);
      throw std::runtime_error(path + ": truncated IDX file");
    }
  };
  uint8_t magic[4];
  read_exact(magic, 4);
  if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] < 1 || magic[3] > 4) {
    gzclose(f);
    throw std::runtime_error(path + ": not an unsigned-byte IDX file");
  }
  size_t total = 1;
  for (int i = 0; i < magic[3]; ++i) {
    uint8_t b[4];
    read_exact(b, 4);
    uint32_t d = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    if (d == 0 || d > (1u << 24)) throw std::runtime_error(path + ": implausible IDX dimension");
    dims->push_back(d);
    total *= d;
  }
  std::vector<uint8_t> data(total);
  read_exact(data.data(), total);
  gzclose(f);
  return data;
}

struct Dataset {
  std::vector<float> images;  // n x 784, scaled to [0, 1]
  std::vector<float> labels;  // n
  dim_t n = 0;
};

Dataset Load(const std::string& dir, const char* prefix) {
  std::vector<uint32_t> idims, ldims;
  auto pixels = ReadIdx(dir + "/" + prefix + "-images-idx3-ubyte.gz", &idims);
  auto labels = ReadIdx(dir + "/" + prefix + "-labels-idx1-ubyte.gz", &ldims);
  if (idims.size() != 3 || ldims.size() != 1 || idims[0] != ldims[0] || idims[1] * idims[2] != 784)
    throw std::runtime_error(dir + ": unexpected Fashion-MNIST layout");
  Dataset d;
  d.n = idims[0];
  d.images.resize(pixels.size());
  for (size_t i = 0; i < pixels.size(); ++i) d.images[i] = pixels[i] / 255.0f;
  d.labels.assign(labels.begin(), labels.end());
  return d;
}

// Ten Gaussian blobs in 784-d (the same blobs for every split; `seed` draws the samples):
// learnable, so --synthetic still shows the loss falling and a meaningful test accuracy.
Dataset Synthetic(dim_t n, uint32_t seed) {
  std::mt19937 center_rng(12345);
  std::normal_distribution<float> noise(0.f, 1.f);
  std::vector<float> centers(10 * 784);
  for (auto& c : centers) c = noise(center_rng) * 0.1f;
  std::mt19937 rng(seed);
  Dataset d;
  d.n = n;
  d.images.resize(n * 784);
  d.labels.resize(n);
  for (dim_t i = 0; i < n; ++i) {
    int k = static_cast<int>(rng() % 10);
    d.labels[i] = static_cast<float>(k);
    for (int j = 0; j < 784; ++j) d.images[i * 784 + j] = centers[k * 784 + j] + noise(rng);
  }
  return d;
}

Array Upload(const std::vector<float>& v, const std::vector<dim_t>& shape) {
  Array a(shape);
  a.CopyFrom(v);
  return a;
}

// Fraction of rows of x whose arg-max logit equals the label.
float Accuracy(const Array& x, const Array& labels, const Array& w, const Array& b) {
  Array scores = Op("dot", {&x, &w});
  Array full = Op("broadcast_add", {&scores, &b});
  Array pred = Op("argmax", {&full}, {{"axis", "1"}});
  Array hit = Op("broadcast_equal", {&pred, &labels});
  return Op("mean", {&hit}).Scalar();
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "/usr/share/datasets/fashion-mnist";
  int epochs = 10;
  dim_t batch = 128;
  double lr = 0.1;
  bool synthetic = false;
  std::string out = "softmax-fashion-mnist.params";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--data") dir = next();
    else if (a == "--epochs") epochs = std::stoi(next());
    else if (a == "--batch") batch = std::stol(next());
    else if (a == "--lr") lr = std::stod(next());
    else if (a == "--synthetic") synthetic = true;
    else if (a == "--out") out = next();
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  try {
    Dataset train = synthetic ? Synthetic(12000, 1) : Load(dir, "train");
    Dataset test = synthetic ? Synthetic(2000, 2) : Load(dir, "t10k");
    std::printf("mixnet softmax regression on %s: %lld train / %lld test images\n",
                synthetic ? "synthetic data" : "Fashion-MNIST", static_cast<long long>(train.n),
                static_cast<long long>(test.n));

    Array x_train = Upload(train.images, {train.n, 784});
    Array y_train = Upload(train.labels, {train.n});
    Array x_test = Upload(test.images, {test.n, 784});
    Array y_test = Upload(test.labels, {test.n});

    Check(MXRandomSeed(42));
    Array w = Op("_random_normal", {}, {{"loc", "0"}, {"scale", "0.01"}, {"shape", "(784, 10)"}});
    Array b = Op("_zeros", {}, {{"shape", "(10,)"}});
    const std::string step = std::to_string(-lr / static_cast<double>(batch));

    for (int epoch = 1; epoch <= epochs; ++epoch) {
      auto t0 = std::chrono::steady_clock::now();
      Array loss_sum = Op("_zeros", {}, {{"shape", "(1,)"}});
      dim_t batches = train.n / batch;
      for (dim_t k = 0; k < batches; ++k) {
        Array xb = x_train.Slice(k * batch, (k + 1) * batch);  // zero-copy views
        Array yb = y_train.Slice(k * batch, (k + 1) * batch);
        // Forward: probabilities p = softmax(xb w + b), computed stably.
        Array z0 = Op("dot", {&xb, &w});
        Array z = Op("broadcast_add", {&z0, &b});
        Array zmax = Op("max", {&z}, {{"axis", "1"}, {"keepdims", "True"}});
        Array zs = Op("broadcast_sub", {&z, &zmax});
        Array e = Op("exp", {&zs});
        Array denom = Op("sum", {&e}, {{"axis", "1"}, {"keepdims", "True"}});
        Array p = Op("broadcast_div", {&e, &denom});
        // Cross-entropy of the true class, accumulated without leaving the engine.
        Array p_true = Op("pick", {&p, &yb}, {{"axis", "1"}});
        Array logp = Op("log", {&p_true});
        Array nll = Op("sum", {&logp});
        Array loss_new = Op("broadcast_sub", {&loss_sum, &nll});
        loss_sum = std::move(loss_new);
        // Backward by hand: d loss / d z = p - onehot(y); SGD step on w and b.
        Array onehot = Op("one_hot", {&yb}, {{"depth", "10"}});
        Array g = Op("elemwise_sub", {&p, &onehot});
        Array gw = Op("dot", {&xb, &g}, {{"transpose_a", "True"}});
        Array gb = Op("sum", {&g}, {{"axis", "0"}});
        Array dw = Op("_mul_scalar", {&gw}, {{"scalar", step}});
        Array db = Op("_mul_scalar", {&gb}, {{"scalar", step}});
        Array w_new = Op("elemwise_add", {&w, &dw});
        Array b_new = Op("elemwise_add", {&b, &db});
        w = std::move(w_new);
        b = std::move(b_new);
      }
      float loss = loss_sum.Scalar() / static_cast<float>(batches * batch);  // waits here
      double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      float train_acc = Accuracy(x_train, y_train, w, b);
      std::printf("epoch %2d  loss %.4f  train accuracy %.4f  %.0f images/s\n", epoch, loss,
                  train_acc, static_cast<double>(batches * batch) / secs);
    }
    std::printf("test accuracy %.4f\n", Accuracy(x_test, y_test, w, b));
    // Saved in Apache MXNet 1.x's .params format: mx.nd.load() in MXNet reads it too.
    NDArrayHandle params[] = {w.get(), b.get()};
    const char* names[] = {"weight", "bias"};
    Check(MXNDArraySave(out.c_str(), 2, params, names));
    std::printf("saved %s\n", out.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
