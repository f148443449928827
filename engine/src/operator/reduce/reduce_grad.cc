#include "operator/reduce/reduce_grad.h"

#include "operator/reduce/reduce_kernel.h"
#include "operator/reduce/reducers.h"
#include "operator/shape/req_assign.h"

namespace mixnet::op::reduce {

void SumInto(OpReq req, const TBlob& src, const Shape& view, const std::vector<bool>& reduced,
             const TBlob& dst, int nthreads) {
  if (req == OpReq::kNull || dst.Size() == 0) return;
  MX_CHECK(view.Size() == src.Size() && src.dtype == dst.dtype, Internal)
      << "SumInto: view " << view << " does not fit source " << src.shape;
  const Collapsed c = Collapse(view, reduced);
  MX_TYPE_SWITCH(src.dtype, T, {
    using R = SumReducer<typename SumAcc<T>::type>;
    T* out = dst.ptr<T>();
    ReduceCollapsed<R>(src.ptr<T>(), c, nthreads, [&](int64_t k, typename R::Acc acc) {
      StoreReq(req, out + k, FromAcc<T>(acc));
    });
  });
}

}  // namespace mixnet::op::reduce
