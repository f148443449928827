// Autograd semantics: recording, grad_req write/add, retain_graph, pause, Grad(), head
// gradients, repeated and shared inputs, errors. Values against hand-computed derivatives.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "autograd/autograd.h"
#include "engine/engine.h"
#include "test_util.h"

namespace mixnet::test {
namespace {

using autograd::GradReq;

// Records for the duration of a scope (autograd.record()).
struct Record {
  bool prev_rec = autograd::SetRecording(true);
  bool prev_train;
  explicit Record(bool train = true) : prev_train(autograd::SetTraining(train)) {}
  ~Record() {
    autograd::SetRecording(prev_rec);
    autograd::SetTraining(prev_train);
  }
};

NDArray Zeros(const Shape& s) { return Array<float>(s, std::vector<float>(s.Size(), 0.f)); }

// x.attach_grad(grad_req)
NDArray AttachGrad(NDArray& x, GradReq req = GradReq::kWrite) {
  NDArray g = Zeros(x.shape());
  NDArray* vars[] = {&x};
  GradReq reqs[] = {req};
  NDArray grads[] = {g};
  autograd::MarkVariables(vars, reqs, grads);
  return g;
}

void Backward(const NDArray& head, bool retain = false) {
  NDArray heads[] = {head};
  autograd::Backward(heads, {}, retain, true);
}

TEST(Autograd, PolynomialGradient) {
  NDArray x = Array<float>({3}, {1.f, -2.f, 0.5f});
  NDArray g = AttachGrad(x);
  NDArray y;
  {
    Record rec;
    NDArray sq = Run1("elemwise_mul", {x, x});          // x appears twice in one call
    y = Run1("elemwise_add", {sq, x});                  // x used again by a second call
  }
  Backward(y);
  EXPECT_EQ(Values<float>(g), (std::vector<float>{3.f, -3.f, 2.f}));  // 2x + 1
}

TEST(Autograd, DiamondAndChain) {
  NDArray x = Array<float>({2}, {0.f, 1.f});
  NDArray g = AttachGrad(x);
  NDArray z;
  {
    Record rec;
    NDArray e = Run1("exp", {x});
    NDArray e2 = Run1("elemwise_mul", {e, e});
    z = Run1("elemwise_add", {e2, Run1("_mul_scalar", {e}, {{"scalar", "3"}})});
  }
  Backward(z);
  const std::vector<float> got = Values<float>(g);
  for (int i = 0; i < 2; ++i) {
    const double ex = std::exp(static_cast<double>(i));
    EXPECT_NEAR(got[static_cast<size_t>(i)], 2 * ex * ex + 3 * ex, 1e-4);  // d(e^2x + 3e^x)
  }
}

TEST(Autograd, HeadGradientsAndSeveralHeads) {
  NDArray x = Array<float>({2}, {1.f, 2.f});
  NDArray g = AttachGrad(x);
  NDArray a, b;
  {
    Record rec;
    a = Run1("_mul_scalar", {x}, {{"scalar", "2"}});
    b = Run1("elemwise_mul", {x, x});
  }
  NDArray heads[] = {a, b};
  NDArray head_grads[] = {Array<float>({2}, {1.f, 10.f}), NDArray()};  // none = ones
  autograd::Backward(heads, head_grads, false, true);
  EXPECT_EQ(Values<float>(g), (std::vector<float>{2.f + 2.f, 20.f + 4.f}));
}

TEST(Autograd, GradReqAddAccumulatesAndWriteOverwrites) {
  NDArray x = Array<float>({1}, {3.f});
  NDArray gx = AttachGrad(x, GradReq::kAdd);
  NDArray w = Array<float>({1}, {5.f});
  NDArray gw = AttachGrad(w, GradReq::kWrite);
  for (int step = 0; step < 3; ++step) {
    NDArray y;
    {
      Record rec;
      y = Run1("elemwise_mul", {x, w});
    }
    Backward(y);
  }
  EXPECT_EQ(Values<float>(gx), std::vector<float>{15.f});  // 3 steps x w
  EXPECT_EQ(Values<float>(gw), std::vector<float>{3.f});   // last step only
}

TEST(Autograd, RetainGraphAllowsASecondBackward) {
  NDArray x = Array<float>({1}, {2.f});
  NDArray g = AttachGrad(x, GradReq::kAdd);
  NDArray y;
  {
    Record rec;
    y = Run1("elemwise_mul", {x, x});
  }
  Backward(y, /*retain=*/true);
  Backward(y, /*retain=*/false);
  EXPECT_EQ(Values<float>(g), std::vector<float>{8.f});
  Error e = Catch([&] { Backward(y); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(e, "retain_graph")) << e.what();
}

TEST(Autograd, PauseAndUnrecordedHeads) {
  NDArray x = Array<float>({1}, {2.f});
  AttachGrad(x);
  NDArray y;
  {
    Record rec;
    const bool prev = autograd::SetRecording(false);  // autograd.pause()
    y = Run1("elemwise_mul", {x, x});
    autograd::SetRecording(prev);
  }
  Error e = Catch([&] { Backward(y); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(e, "does not depend on any variable")) << e.what();
  // Not recording at all: same.
  NDArray z = Run1("elemwise_mul", {x, x});
  EXPECT_THROW(Backward(z), Error);
}

TEST(Autograd, GradReturnsGradientsWithoutTouchingBuffers) {
  NDArray x = Array<float>({2}, {1.f, 3.f});
  NDArray g = AttachGrad(x);
  NDArray y;
  {
    Record rec;
    y = Run1("elemwise_mul", {x, x});
  }
  NDArray heads[] = {y};
  NDArray vars[] = {x};
  std::vector<NDArray> grads = autograd::Grad(heads, {}, vars, false, true);
  ASSERT_EQ(grads.size(), 1u);
  EXPECT_EQ(Values<float>(grads[0]), (std::vector<float>{2.f, 6.f}));
  EXPECT_EQ(Values<float>(g), (std::vector<float>{0.f, 0.f}));
}

TEST(Autograd, UnusedVariableKeepsItsBufferAndGradRejectsIt) {
  NDArray x = Array<float>({1}, {1.f});
  NDArray u = Array<float>({1}, {1.f});
  AttachGrad(x);
  NDArray gu = AttachGrad(u);
  gu.SyncCopyFromCPU(std::vector<float>{7.f}.data(), 1);
  NDArray y;
  {
    Record rec;
    y = Run1("exp", {x});
  }
  NDArray heads[] = {y};
  NDArray vars[] = {u};
  Error e = Catch([&] { autograd::Grad(heads, {}, vars, true, true); });
  EXPECT_TRUE(Contains(e, "not used")) << e.what();
  Backward(y);
  EXPECT_EQ(Values<float>(gu), std::vector<float>{7.f});
}

TEST(Autograd, GradReqNullAndDetachStopGradients) {
  NDArray x = Array<float>({1}, {2.f});
  NDArray w = Array<float>({1}, {4.f});
  NDArray gx = AttachGrad(x);
  AttachGrad(w, GradReq::kNull);
  NDArray y;
  {
    Record rec;
    NDArray xd = autograd::Detach(Run1("_mul_scalar", {x}, {{"scalar", "10"}}));
    y = Run1("elemwise_add", {Run1("elemwise_mul", {x, w}), xd});
  }
  Backward(y);
  EXPECT_EQ(Values<float>(gx), std::vector<float>{4.f});  // the detached branch adds nothing
  EXPECT_TRUE(autograd::GetGrad(w).is_none());
}

TEST(Autograd, BroadcastGradientsReduceToInputShapes) {
  NDArray a = Array<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  NDArray b = Array<float>({1, 3}, {10, 20, 30});
  NDArray ga = AttachGrad(a);
  NDArray gb = AttachGrad(b);
  NDArray y;
  {
    Record rec;
    y = Run1("broadcast_mul", {a, b});
  }
  Backward(y);
  EXPECT_EQ(Values<float>(ga), (std::vector<float>{10, 20, 30, 10, 20, 30}));
  EXPECT_EQ(Values<float>(gb), (std::vector<float>{5, 7, 9}));
}

TEST(Autograd, BackwardRunsOnTheEngineAndLaterWorkSeesIt) {
  // A long chain: each backward kernel is an engine op; reading the gradient waits for them.
  NDArray x = Array<float>({1}, {1.f});
  NDArray g = AttachGrad(x);
  NDArray y;
  {
    Record rec;
    y = x;
    for (int i = 0; i < 50; ++i) y = Run1("_mul_scalar", {y}, {{"scalar", "1.01"}});
  }
  Backward(y);
  EXPECT_NEAR(Values<float>(g)[0], std::pow(1.01, 50), 1e-4);
}

TEST(Autograd, ModesAreThreadLocalAndRestored) {
  EXPECT_FALSE(autograd::IsRecording());
  {
    Record rec;
    EXPECT_TRUE(autograd::IsRecording());
    EXPECT_TRUE(autograd::IsTraining());
    bool other = true;
    std::thread([&] { other = autograd::IsRecording(); }).join();
    EXPECT_FALSE(other);
  }
  EXPECT_FALSE(autograd::IsRecording());
  EXPECT_FALSE(autograd::IsTraining());
}

TEST(Autograd, MarkVariablesValidatesBuffers) {
  NDArray x = Array<float>({2}, {1.f, 2.f});
  NDArray bad = Zeros({3});
  NDArray* vars[] = {&x};
  GradReq reqs[] = {GradReq::kWrite};
  NDArray grads[] = {bad};
  Error e = Catch([&] { autograd::MarkVariables(vars, reqs, grads); });
  EXPECT_TRUE(Contains(e, "(3,)") && Contains(e, "(2,)")) << e.what();
  GradReq weird[] = {static_cast<GradReq>(2)};
  NDArray good[] = {Zeros({2})};
  e = Catch([&] { autograd::MarkVariables(vars, weird, good); });
  EXPECT_TRUE(Contains(e, "grad_req 2")) << e.what();
}

}  // namespace
}  // namespace mixnet::test
