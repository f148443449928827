// Numeric gradient checks; see grad_check_util.h.
#include "grad_check_util.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <sstream>

#include "autograd/autograd.h"
#include "engine/engine.h"
#include "operator/imperative.h"
#include "operator/op.h"

namespace mixnet::test {

namespace {

std::set<std::string>& CheckedInThisTest() {
  static std::set<std::string> checked;
  return checked;
}

std::vector<std::string>& Declared() {
  static std::vector<std::string> declared;
  return declared;
}

std::string CanonicalName(const char* name) {
  const op::Op* o = op::FindOp(name);
  return o != nullptr ? std::string(o->name()) : std::string(name);
}

struct Tolerance {
  double eps, rtol, atol;
};

Tolerance DefaultTolerance(DType t) {
  switch (t) {
    case DType::kFloat64: return {1e-5, 1e-4, 1e-6};
    case DType::kFloat32: return {1e-3, 2e-2, 2e-3};
    default: return {1e-1, 1e-1, 5e-2};
  }
}

NDArray DeepCopy(const NDArray& a) {
  NDArray c(a.shape(), a.ctx(), a.dtype());
  std::vector<unsigned char> bytes(a.nbytes());
  a.SyncCopyToCPU(bytes.data(), static_cast<size_t>(a.Size()));
  c.SyncCopyFromCPU(bytes.data(), static_cast<size_t>(a.Size()));
  return c;
}

// Scopes the autograd training flag (and turns recording off: checks call kernels directly).
struct ModeScope {
  bool prev_train, prev_rec;
  explicit ModeScope(bool train)
      : prev_train(autograd::SetTraining(train)), prev_rec(autograd::SetRecording(false)) {}
  ~ModeScope() {
    autograd::SetTraining(prev_train);
    autograd::SetRecording(prev_rec);
  }
};

struct Evaluator {
  const op::Op* op;
  std::vector<std::pair<std::string_view, std::string_view>> attrs;
  const GradCheck& check;

  op::InvokeResult Forward(const std::vector<NDArray>& inputs) const {
    if (check.seed >= 0) op::SeedRandom(static_cast<uint64_t>(check.seed));
    op::InvokeResult r = op::InvokeAll(*op, inputs, attrs);
    engine::Engine::Get()->WaitForAll();
    return r;
  }

  // sum over visible floating outputs of head * output, in float64.
  double Objective(const op::InvokeResult& r, const std::vector<std::vector<double>>& heads) const {
    double f = 0;
    for (size_t k = 0; k < r.num_visible; ++k) {
      if (!IsFloatingDType(r.outputs[k].dtype())) continue;
      const std::vector<double> y = ValuesAsDouble(r.outputs[k]);
      for (size_t j = 0; j < y.size(); ++j) f += heads[k][j] * y[j];
    }
    return f;
  }
};

}  // namespace

std::vector<double> ValuesAsDouble(const NDArray& a) {
  std::vector<double> out(static_cast<size_t>(a.Size()));
  MX_TYPE_SWITCH(a.dtype(), DT, {
    std::vector<unsigned char> raw(a.nbytes());
    a.SyncCopyToCPU(raw.data(), out.size());
    const DT* p = reinterpret_cast<const DT*>(raw.data());
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(static_cast<float>(p[i]));
    if constexpr (std::is_same_v<DT, double> || std::is_same_v<DT, int64_t>) {
      for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(p[i]);
    }
  });
  return out;
}

NDArray ArrayFromDoubles(const Shape& shape, DType dtype, const std::vector<double>& values) {
  NDArray a(shape, Context::CPU(), dtype);
  EXPECT_EQ(static_cast<int64_t>(values.size()), shape.Size());
  MX_TYPE_SWITCH(dtype, DT, {
    std::vector<unsigned char> raw(values.size() * sizeof(DT));
    DT* p = reinterpret_cast<DT*>(raw.data());
    for (size_t i = 0; i < values.size(); ++i) {
      if constexpr (std::is_same_v<DT, double>) {
        p[i] = values[i];
      } else if constexpr (std::is_integral_v<DT>) {
        p[i] = static_cast<DT>(values[i]);
      } else {
        p[i] = DT(static_cast<float>(values[i]));
      }
    }
    a.SyncCopyFromCPU(raw.data(), values.size());
  });
  return a;
}

void NoteManualGradientCheck(const char* op) { CheckedInThisTest().insert(CanonicalName(op)); }

NDArray RandomArray(const Shape& shape, DType dtype, double lo, double hi, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(static_cast<size_t>(shape.Size()));
  for (double& x : v) x = dist(gen);
  return ArrayFromDoubles(shape, dtype, v);
}

NDArray RandomArrayAwayFromZero(const Shape& shape, DType dtype, double min_abs, double hi,
                                uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> dist(min_abs, hi);
  std::bernoulli_distribution sign(0.5);
  std::vector<double> v(static_cast<size_t>(shape.Size()));
  for (double& x : v) x = sign(gen) ? dist(gen) : -dist(gen);
  return ArrayFromDoubles(shape, dtype, v);
}

void CheckGradient(const GradCheck& check) {
  const op::Op* op = op::FindOp(check.op);
  ASSERT_NE(op, nullptr) << "unknown op " << check.op;
  ASSERT_NE(op->kernel.backward, nullptr) << check.op << " has no backward kernel";
  CheckedInThisTest().insert(op->name());
  ModeScope mode(check.is_train);

  Evaluator ev{op, {}, check};
  for (const auto& [k, v] : check.attrs) ev.attrs.emplace_back(k, v);
  // Variadic ops: Invoke fills in the count parameter, but the backward call below parses the
  // attributes itself, so it is added here when the check leaves it out.
  const std::string count =
      std::to_string(check.inputs.size() / static_cast<size_t>(op->schema->inputs_per_count));
  if (op->schema->variadic_inputs && op->schema->num_inputs_param != nullptr &&
      std::none_of(ev.attrs.begin(), ev.attrs.end(),
                   [&](const auto& kv) { return kv.first == op->schema->num_inputs_param; })) {
    ev.attrs.emplace_back(op->schema->num_inputs_param, count);
  }

  std::vector<int> wrt = check.wrt;
  if (wrt.empty()) {
    for (size_t i = 0; i < check.inputs.size(); ++i) {
      if (IsFloatingDType(check.inputs[i].dtype())) wrt.push_back(static_cast<int>(i));
    }
  }
  ASSERT_FALSE(wrt.empty()) << check.op << ": no floating-point input to check";

  // Forward at the point, with fresh copies (mutable inputs are updated by the forward).
  std::vector<NDArray> base;
  for (const NDArray& a : check.inputs) base.push_back(DeepCopy(a));
  const op::InvokeResult fwd = ev.Forward(base);

  // Random head gradients, one per visible output (zero for non-floating outputs).
  std::mt19937_64 gen(12345);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<std::vector<double>> heads;
  std::vector<NDArray> head_arrays;
  for (size_t k = 0; k < fwd.num_visible; ++k) {
    const NDArray& y = fwd.outputs[k];
    std::vector<double> h(static_cast<size_t>(y.Size()), 0.0);
    if (IsFloatingDType(y.dtype())) {
      for (double& x : h) x = dist(gen);
      // Round the heads to the output dtype so both sides use the same values.
      h = ValuesAsDouble(ArrayFromDoubles(y.shape(), y.dtype(), h));
    }
    head_arrays.push_back(ArrayFromDoubles(y.shape(), y.dtype(), h));
    heads.push_back(std::move(h));
  }

  // Analytic: the backward kernel, called directly. Pass 1 writes, pass 2 adds onto `prefill`.
  auto run_backward = [&](op::OpReq req_kind, const std::vector<std::vector<double>>& prefill) {
    std::vector<NDArray> grads(check.inputs.size());
    std::vector<TBlob> grad_blobs(check.inputs.size());
    std::vector<op::OpReq> req(check.inputs.size(), op::OpReq::kNull);
    for (size_t w = 0; w < wrt.size(); ++w) {
      const size_t i = static_cast<size_t>(wrt[w]);
      const NDArray& x = check.inputs[i];
      grads[i] = ArrayFromDoubles(x.shape(), x.dtype(),
                                  prefill.empty() ? std::vector<double>(x.Size(), 0.0)
                                                  : prefill[w]);
      grad_blobs[i] = grads[i].blob();
      req[i] = req_kind;
    }
    for (size_t i = 0; i < check.inputs.size(); ++i) {
      if (req[i] == op::OpReq::kNull) grad_blobs[i] = TBlob{nullptr, check.inputs[i].shape(),
                                                             check.inputs[i].dtype()};
    }
    std::vector<TBlob> og, in, out;
    for (const NDArray& h : head_arrays) og.push_back(h.blob());
    for (const NDArray& a : base) in.push_back(a.blob());
    for (const NDArray& o : fwd.outputs) out.push_back(o.blob());
    std::vector<std::pair<std::string_view, std::string_view>> attrs = ev.attrs;
    std::unique_ptr<op::ParamBase> param = op->schema->parse(attrs);
    op::OpContext ctx;
    ctx.is_train = check.is_train;
    ctx.nthreads = 2;
    ctx.req = req;
    ctx.op_name = op->name();
    op->kernel.backward(*param, ctx, og, in, out, grad_blobs);
    std::vector<std::vector<double>> result;
    for (int i : wrt) result.push_back(ValuesAsDouble(grads[static_cast<size_t>(i)]));
    return result;
  };
  std::vector<std::vector<double>> analytic;
  try {
    analytic = run_backward(op::OpReq::kWriteTo, {});
  } catch (const Error& e) {
    FAIL() << check.op << ": backward threw: " << e.what();
  }

  for (size_t w = 0; w < wrt.size(); ++w) {
    const size_t i = static_cast<size_t>(wrt[w]);
    const NDArray& x0 = check.inputs[i];
    const Tolerance def = DefaultTolerance(x0.dtype());
    const double eps = check.eps >= 0 ? check.eps : def.eps;
    const double rtol = check.rtol >= 0 ? check.rtol : def.rtol;
    const double atol = check.atol >= 0 ? check.atol : def.atol;
    const std::vector<double> xv = ValuesAsDouble(x0);
    int failures = 0;
    for (size_t j = 0; j < xv.size(); ++j) {
      auto eval_at = [&](double delta, double* actual) {
        std::vector<double> moved = xv;
        moved[j] = xv[j] + delta;
        NDArray xm = ArrayFromDoubles(x0.shape(), x0.dtype(), moved);
        *actual = ValuesAsDouble(xm)[j];  // the perturbed value after rounding to the dtype
        std::vector<NDArray> ins;
        for (size_t q = 0; q < check.inputs.size(); ++q) {
          ins.push_back(q == i ? xm : DeepCopy(check.inputs[q]));
        }
        return ev.Objective(ev.Forward(ins), heads);
      };
      double xp = 0, xm = 0;
      const double fp = eval_at(eps, &xp);
      const double fm = eval_at(-eps, &xm);
      const double numeric = (fp - fm) / (xp - xm);
      const double a = analytic[w][j];
      const double tol = atol + rtol * std::max(std::abs(a), std::abs(numeric));
      if (!(std::abs(a - numeric) <= tol) && failures++ < 5) {
        ADD_FAILURE() << check.op << ": gradient of input " << i << " ("
                      << op->schema->input_names[std::min(i, op->schema->input_names.size() - 1)]
                      << ", shape " << x0.shape() << ' ' << DTypeName(x0.dtype())
                      << ") at element " << j << ": analytic " << a << ", numeric " << numeric
                      << " (eps " << eps << ", rtol " << rtol << ", atol " << atol << ")";
      }
    }
  }

  // req kAddTo must add the same gradient onto what the buffer holds.
  std::vector<std::vector<double>> prefill;
  for (int i : wrt) {
    prefill.push_back(
        ValuesAsDouble(RandomArray(check.inputs[static_cast<size_t>(i)].shape(),
                                   check.inputs[static_cast<size_t>(i)].dtype(), -1, 1, 99)));
  }
  std::vector<std::vector<double>> added;
  try {
    added = run_backward(op::OpReq::kAddTo, prefill);
  } catch (const Error& e) {
    FAIL() << check.op << ": backward with req kAddTo threw: " << e.what();
  }
  for (size_t w = 0; w < wrt.size(); ++w) {
    const double tol = check.inputs[static_cast<size_t>(wrt[w])].dtype() == DType::kFloat64
                           ? 1e-9
                           : 1e-2;
    for (size_t j = 0; j < added[w].size(); ++j) {
      const double expect = prefill[w][j] + analytic[w][j];
      if (!(std::abs(added[w][j] - expect) <= tol * (1 + std::abs(expect)))) {
        ADD_FAILURE() << check.op << ": req kAddTo on input " << wrt[w] << " element " << j
                      << " gave " << added[w][j] << ", expected " << prefill[w][j] << " + "
                      << analytic[w][j];
        break;
      }
    }
  }
}

// Registration runs during static initialisation, possibly before the op registry is filled:
// names are stored as written and made canonical on first use.
bool RegisterGradTest(std::initializer_list<const char*> ops) {
  for (const char* name : ops) Declared().emplace_back(name);
  return true;
}

const std::vector<std::string>& DeclaredGradTestOps() {
  static const std::vector<std::string> canonical = [] {
    std::vector<std::string> out;
    for (const std::string& n : Declared()) out.push_back(CanonicalName(n.c_str()));
    return out;
  }();
  return canonical;
}

GradTestScope::GradTestScope(std::initializer_list<const char*> ops) {
  for (const char* name : ops) declared_.push_back(CanonicalName(name));
  CheckedInThisTest().clear();
}

GradTestScope::~GradTestScope() {
  for (const std::string& name : declared_) {
    if (CheckedInThisTest().count(name) == 0) {
      ADD_FAILURE() << "GRAD_TEST declares " << name << " but never ran CheckGradient on it";
    }
  }
  CheckedInThisTest().clear();
}

}  // namespace mixnet::test
