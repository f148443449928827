/*
 * Hand-written module functions: the op-dispatch hot path `invoke` (METH_FASTCALL), autograd
 * calls over lists of arrays, and DLPack capsules.
 * Part of the Python glue (engine/swig/mixnet.i includes it into the SWIG wrapper; one translation
 * unit, hence the static definitions).
 */
#ifndef MIXNET_SWIG_PY_CALLS_H_
#define MIXNET_SWIG_PY_CALLS_H_

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlpack/dlpack.h>
#include <string.h>

#include "mixnet/c_api.h"

#include "py_ndarray.h"

/* ---- dispatch hot path ---------------------------------------------------------------------
 * invoke(op: int, inputs: tuple|list, keys: tuple|list[str], vals: tuple|list[str], out)
 * out None: returns the one output, or a list when the op gave several (MXNet's rule).
 * out an NDArray or a list/tuple of them: results are written there and `out` is returned. */
#define MX_INLINE_ARGS 16

/* MXImperativeInvoke without the GIL: a push may wait for engine ops (backpressure), and one of
   them may be a Python deleter (DLPack from NumPy) that needs the GIL. */
static int mx_invoke_without_gil(OpHandle op, int n_in, NDArrayHandle* in_h, int* n_out,
                                 NDArrayHandle** out_h, int n_kv, const char** k, const char** v) {
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = MXImperativeInvoke(op, n_in, in_h, n_out, out_h, n_kv, k, v);
  Py_END_ALLOW_THREADS
  return rc;
}

static PyObject* mx_invoke(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
  (void)self;
  if (nargs != 5) {
    PyErr_SetString(PyExc_TypeError, "invoke(op, inputs, keys, vals, out) takes 5 arguments");
    return NULL;
  }
  OpHandle op = (OpHandle)PyLong_AsVoidPtr(args[0]);
  if (op == NULL && PyErr_Occurred()) return NULL;
  PyObject* inputs = args[1];
  PyObject* keys = args[2];
  PyObject* vals = args[3];
  PyObject* out = args[4];
  if (!(PyTuple_Check(inputs) || PyList_Check(inputs)) || !(PyTuple_Check(keys) || PyList_Check(keys)) ||
      !(PyTuple_Check(vals) || PyList_Check(vals))) {
    PyErr_SetString(PyExc_TypeError, "invoke: inputs, keys and vals must be tuples or lists");
    return NULL;
  }
  Py_ssize_t n_in = PySequence_Fast_GET_SIZE(inputs);
  Py_ssize_t n_kv = PySequence_Fast_GET_SIZE(keys);
  if (n_kv != PySequence_Fast_GET_SIZE(vals)) {
    PyErr_SetString(PyExc_ValueError, "invoke: keys and vals differ in length");
    return NULL;
  }
  NDArrayHandle in_inline[MX_INLINE_ARGS];
  const char* k_inline[MX_INLINE_ARGS];
  const char* v_inline[MX_INLINE_ARGS];
  NDArrayHandle out_inline[MX_INLINE_ARGS];
  NDArrayHandle* in_h = in_inline;
  const char** k = k_inline;
  const char** v = v_inline;
  NDArrayHandle* out_h = NULL;
  PyObject* result = NULL;
  void* heap[4] = {NULL, NULL, NULL, NULL};
  if (n_in > MX_INLINE_ARGS) in_h = heap[0] = PyMem_Malloc(sizeof(NDArrayHandle) * n_in);
  if (n_kv > MX_INLINE_ARGS) {
    k = heap[1] = PyMem_Malloc(sizeof(char*) * n_kv);
    v = heap[2] = PyMem_Malloc(sizeof(char*) * n_kv);
  }
  if (in_h == NULL || k == NULL || v == NULL) {
    PyErr_NoMemory();
    goto done;
  }
  PyObject** in_items = PySequence_Fast_ITEMS(inputs);
  for (Py_ssize_t i = 0; i < n_in; ++i) {
    PyObject* a = in_items[i];
    if (Py_TYPE(a) == mx_ndarray_class && ((MXNDArrayObject*)a)->handle != NULL) {
      in_h[i] = ((MXNDArrayObject*)a)->handle;
    } else if (mx_get_handle(a, &in_h[i], "op input") != 0) {
      goto done;
    }
  }
  PyObject** k_items = PySequence_Fast_ITEMS(keys);
  PyObject** v_items = PySequence_Fast_ITEMS(vals);
  for (Py_ssize_t i = 0; i < n_kv; ++i) {
    k[i] = PyUnicode_AsUTF8(k_items[i]);
    if (k[i] == NULL) goto done;
    v[i] = PyUnicode_AsUTF8(v_items[i]);
    if (v[i] == NULL) goto done;
  }
  int n_out = 0;
  if (out == Py_None) {
    if (mx_invoke_without_gil(op, (int)n_in, in_h, &n_out, &out_h, (int)n_kv, k, v) != 0) {
      mx_raise_last_error();
      goto done;
    }
    if (n_out == 1) {
      result = mx_wrap_handle(out_h[0]);
    } else {
      /* Copy first: wrapping may not call into the library, but be safe about the TLS array. */
      NDArrayHandle* copy = out_inline;
      if (n_out > MX_INLINE_ARGS) copy = heap[3] = PyMem_Malloc(sizeof(NDArrayHandle) * n_out);
      if (copy == NULL) {
        PyErr_NoMemory();
        goto done;
      }
      memcpy(copy, out_h, sizeof(NDArrayHandle) * n_out);
      result = PyList_New(n_out);
      for (int i = 0; i < n_out; ++i) {
        PyObject* o = result ? mx_wrap_handle(copy[i]) : NULL;
        if (o == NULL) {
          for (int j = i + (result ? 1 : 0); j < n_out; ++j) MXNDArrayFree(copy[j]);
          Py_CLEAR(result);
          break;
        }
        PyList_SET_ITEM(result, i, o);
      }
    }
  } else {
    int is_seq = PyList_Check(out) || PyTuple_Check(out);
    n_out = is_seq ? (int)PySequence_Fast_GET_SIZE(out) : 1;
    NDArrayHandle* oh = out_inline;
    if (n_out > MX_INLINE_ARGS) oh = heap[3] = PyMem_Malloc(sizeof(NDArrayHandle) * n_out);
    if (oh == NULL) {
      PyErr_NoMemory();
      goto done;
    }
    for (int i = 0; i < n_out; ++i) {
      PyObject* o = is_seq ? PySequence_Fast_ITEMS(out)[i] : out;
      if (mx_get_handle(o, &oh[i], "out") != 0) goto done;
    }
    if (mx_invoke_without_gil(op, (int)n_in, in_h, &n_out, &oh, (int)n_kv, k, v) != 0) {
      mx_raise_last_error();
      goto done;
    }
    Py_INCREF(out);
    result = out;
  }
done:
  for (int i = 0; i < 4; ++i) PyMem_Free(heap[i]);
  return result;
}

/* set_ndarray_class(cls): the subclass of NDArrayBase that new handles become. */
static PyObject* mx_set_ndarray_class(PyObject* self, PyObject* cls) {
  (void)self;
  if (!PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject*)cls, &MXNDArrayBase_Type)) {
    PyErr_SetString(PyExc_TypeError, "set_ndarray_class: expected a subclass of NDArrayBase");
    return NULL;
  }
  Py_INCREF(cls);
  Py_XSETREF(mx_ndarray_class, (PyTypeObject*)cls);
  Py_RETURN_NONE;
}

/* set_error_classes(seq): classes by error kind (MX_ERR_*), index 0 the fallback. */
static PyObject* mx_set_error_classes(PyObject* self, PyObject* seq) {
  (void)self;
  PyObject* fast = PySequence_Fast(seq, "set_error_classes: expected a sequence");
  if (fast == NULL) return NULL;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
  for (Py_ssize_t i = 0; i < MX_NUM_ERROR_KINDS; ++i) {
    PyObject* c = i < n ? PySequence_Fast_ITEMS(fast)[i] : NULL;
    Py_XINCREF(c);
    Py_XSETREF(mx_error_classes[i], c);
  }
  Py_DECREF(fast);
  Py_RETURN_NONE;
}

/* ---- lists of handles ----------------------------------------------------------------------- */
/* Fills a PyMem array with the handles of a sequence of NDArrays (entries may be None when
 * allow_none). Returns the count, or -1 with an exception set. */
static Py_ssize_t mx_handle_list(PyObject* seq, NDArrayHandle** out, int allow_none, const char* what) {
  PyObject* fast = PySequence_Fast(seq, "expected a list of NDArrays");
  if (fast == NULL) return -1;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
  NDArrayHandle* h = PyMem_Malloc(sizeof(NDArrayHandle) * (n > 0 ? n : 1));
  if (h == NULL) {
    Py_DECREF(fast);
    PyErr_NoMemory();
    return -1;
  }
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* o = PySequence_Fast_ITEMS(fast)[i];
    if (allow_none && o == Py_None) {
      h[i] = NULL;
    } else if (mx_get_handle(o, &h[i], what) != 0) {
      PyMem_Free(h);
      Py_DECREF(fast);
      return -1;
    }
  }
  Py_DECREF(fast);
  *out = h;
  return n;
}

static PyObject* mx_wrap_handle_array(NDArrayHandle* hs, Py_ssize_t n) {
  PyObject* list = PyList_New(n);
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* o = list ? mx_wrap_handle(hs[i]) : NULL;
    if (o == NULL) {
      for (Py_ssize_t j = i + (list ? 1 : 0); j < n; ++j) MXNDArrayFree(hs[j]);
      Py_XDECREF(list);
      return NULL;
    }
    PyList_SET_ITEM(list, i, o);
  }
  return list;
}

/* ---- autograd ------------------------------------------------------------------------------- */
/* mark_variables(vars, reqs: list[int], grads) */
static PyObject* mx_mark_variables(PyObject* self, PyObject* args) {
  (void)self;
  PyObject *vars, *reqs, *grads;
  if (!PyArg_ParseTuple(args, "OOO", &vars, &reqs, &grads)) return NULL;
  NDArrayHandle *vh = NULL, *gh = NULL;
  mx_uint* rq = NULL;
  PyObject* result = NULL;
  Py_ssize_t n = mx_handle_list(vars, &vh, 0, "mark_variables: variables");
  if (n < 0) return NULL;
  Py_ssize_t ng = mx_handle_list(grads, &gh, 0, "mark_variables: gradients");
  if (ng < 0) goto done;
  PyObject* rf = PySequence_Fast(reqs, "mark_variables: grad_reqs must be a sequence");
  if (rf == NULL) goto done;
  if (ng != n || PySequence_Fast_GET_SIZE(rf) != n) {
    Py_DECREF(rf);
    PyErr_Format(mx_error_classes[1] ? mx_error_classes[1] : PyExc_ValueError,
                 "mark_variables: %zd variables but %zd gradients and %zd grad_reqs", n, ng,
                 PySequence_Fast_GET_SIZE(rf));
    goto done;
  }
  rq = PyMem_Malloc(sizeof(mx_uint) * (n > 0 ? n : 1));
  for (Py_ssize_t i = 0; rq != NULL && i < n; ++i) rq[i] = (mx_uint)PyLong_AsUnsignedLong(PySequence_Fast_ITEMS(rf)[i]);
  Py_DECREF(rf);
  if (rq == NULL || PyErr_Occurred()) goto done;
  if (MXAutogradMarkVariables((mx_uint)n, vh, rq, gh) != 0) {
    mx_raise_last_error();
    goto done;
  }
  Py_INCREF(Py_None);
  result = Py_None;
done:
  PyMem_Free(vh);
  PyMem_Free(gh);
  PyMem_Free(rq);
  return result;
}

/* backward(heads, head_grads|None, variables|None, retain_graph, is_train)
 * -> None (gradients land in the marked buffers) or a list of new gradient arrays. */
static PyObject* mx_backward(PyObject* self, PyObject* args) {
  (void)self;
  PyObject *heads, *ograds, *vars;
  int retain, train;
  if (!PyArg_ParseTuple(args, "OOOpp", &heads, &ograds, &vars, &retain, &train)) return NULL;
  NDArrayHandle *hh = NULL, *oh = NULL, *vh = NULL;
  PyObject* result = NULL;
  Py_ssize_t nv = 0;
  Py_ssize_t nh = mx_handle_list(heads, &hh, 0, "backward: heads");
  if (nh < 0) return NULL;
  if (ograds != Py_None) {
    Py_ssize_t no = mx_handle_list(ograds, &oh, 1, "backward: head_grads");
    if (no < 0) goto done;
    if (no != nh) {
      PyErr_Format(mx_error_classes[1] ? mx_error_classes[1] : PyExc_ValueError,
                   "backward: %zd heads but %zd head gradients", nh, no);
      goto done;
    }
  }
  if (vars != Py_None) {
    nv = mx_handle_list(vars, &vh, 0, "grad: variables");
    if (nv < 0) goto done;
  }
  NDArrayHandle* grads = NULL;
  int* stypes = NULL;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = MXAutogradBackwardEx((mx_uint)nh, hh, oh, (mx_uint)nv, vh, retain, 0, train,
                            nv > 0 ? &grads : NULL, nv > 0 ? &stypes : NULL);
  Py_END_ALLOW_THREADS
  if (rc != 0) {
    mx_raise_last_error();
    goto done;
  }
  if (nv > 0) {
    result = mx_wrap_handle_array(grads, nv);
  } else {
    Py_INCREF(Py_None);
    result = Py_None;
  }
done:
  PyMem_Free(hh);
  PyMem_Free(oh);
  PyMem_Free(vh);
  return result;
}

/* ---- DLPack --------------------------------------------------------------------------------- */
static void mx_dlpack_capsule_destructor(PyObject* capsule) {
  /* A consumer renames the capsule to "used_dltensor"; only an unconsumed one is ours. */
  if (PyCapsule_IsValid(capsule, "dltensor")) {
    DLManagedTensor* t = (DLManagedTensor*)PyCapsule_GetPointer(capsule, "dltensor");
    if (t != NULL && t->deleter != NULL) t->deleter(t);
  }
}

/* to_dlpack(arr) -> "dltensor" capsule sharing arr's memory (pending writes waited for). */
static PyObject* mx_to_dlpack(PyObject* self, PyObject* arr) {
  (void)self;
  NDArrayHandle h;
  if (mx_get_handle(arr, &h, "to_dlpack") != 0) return NULL;
  struct DLManagedTensor* t = NULL;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = MXNDArrayToDLPack(h, &t);
  Py_END_ALLOW_THREADS
  if (rc != 0) return mx_raise_last_error();
  PyObject* cap = PyCapsule_New(t, "dltensor", mx_dlpack_capsule_destructor);
  if (cap == NULL && t->deleter != NULL) t->deleter(t);
  return cap;
}

/* from_dlpack(capsule) -> NDArray sharing the producer's memory; consumes the capsule. */
static PyObject* mx_from_dlpack(PyObject* self, PyObject* capsule) {
  (void)self;
  if (!PyCapsule_IsValid(capsule, "dltensor")) {
    PyErr_SetString(mx_error_classes[2] ? mx_error_classes[2] : PyExc_TypeError,
                    "from_dlpack: expected an unconsumed 'dltensor' capsule (DLPack 0.x layout)");
    return NULL;
  }
  DLManagedTensor* t = (DLManagedTensor*)PyCapsule_GetPointer(capsule, "dltensor");
  NDArrayHandle h = NULL;
  if (MXNDArrayFromDLPack((struct DLManagedTensor*)t, &h) != 0) return mx_raise_last_error();
  /* The array owns the tensor now: the capsule must not call the deleter. */
  PyCapsule_SetName(capsule, "used_dltensor");
  return mx_wrap_handle(h);
}

/* DLPack 1.x's versioned tensor (dlpack.h here is 0.x; the layout is the published one). NumPy 2
 * marks arrays from an unversioned capsule read-only, so `__dlpack__(max_version=(1, 0))` gets
 * this wrapper around the library's legacy tensor, with no read-only flag. */
typedef struct MXDLManagedTensorVersioned {
  struct { uint32_t major; uint32_t minor; } version;
  void* manager_ctx;
  void (*deleter)(struct MXDLManagedTensorVersioned* self);
  uint64_t flags;
  DLTensor dl_tensor;
} MXDLManagedTensorVersioned;

static void mx_versioned_deleter(MXDLManagedTensorVersioned* v) {
  DLManagedTensor* legacy = (DLManagedTensor*)v->manager_ctx;
  if (legacy != NULL && legacy->deleter != NULL) legacy->deleter(legacy);
  PyMem_RawFree(v);
}

static void mx_versioned_capsule_destructor(PyObject* capsule) {
  if (PyCapsule_IsValid(capsule, "dltensor_versioned")) {
    MXDLManagedTensorVersioned* v = (MXDLManagedTensorVersioned*)PyCapsule_GetPointer(capsule, "dltensor_versioned");
    if (v != NULL) mx_versioned_deleter(v);
  }
}

/* to_dlpack_versioned(arr) -> "dltensor_versioned" capsule (DLPack 1.0), writable. */
static PyObject* mx_to_dlpack_versioned(PyObject* self, PyObject* arr) {
  (void)self;
  NDArrayHandle h;
  if (mx_get_handle(arr, &h, "to_dlpack") != 0) return NULL;
  struct DLManagedTensor* t = NULL;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = MXNDArrayToDLPack(h, &t);
  Py_END_ALLOW_THREADS
  if (rc != 0) return mx_raise_last_error();
  MXDLManagedTensorVersioned* v = (MXDLManagedTensorVersioned*)PyMem_RawMalloc(sizeof(*v));
  if (v == NULL) {
    if (t->deleter != NULL) t->deleter(t);
    return PyErr_NoMemory();
  }
  v->version.major = 1;
  v->version.minor = 0;
  v->manager_ctx = t;
  v->deleter = mx_versioned_deleter;
  v->flags = 0;
  v->dl_tensor = t->dl_tensor;
  /* DLPack 0.x had no bool, so the library exports bool as uint8; 1.0 has kDLBool (6). */
  int dtype = -1;
  if (MXNDArrayGetDType(h, &dtype) == 0 && dtype == MX_BOOL) v->dl_tensor.dtype.code = 6;
  PyObject* cap = PyCapsule_New(v, "dltensor_versioned", mx_versioned_capsule_destructor);
  if (cap == NULL) mx_versioned_deleter(v);
  return cap;
}

static PyMethodDef mx_fast_methods[] = {
    {"to_dlpack_versioned", mx_to_dlpack_versioned, METH_O, "MXNDArrayToDLPack as a DLPack 1.0 capsule."},
    {"invoke", (PyCFunction)(void (*)(void))mx_invoke, METH_FASTCALL,
     "invoke(op, inputs, keys, vals, out): runs a registry op (MXImperativeInvoke)."},
    {"set_ndarray_class", mx_set_ndarray_class, METH_O, "Sets the class of new NDArrays."},
    {"set_error_classes", mx_set_error_classes, METH_O, "Sets the exception classes by error kind."},
    {"mark_variables", mx_mark_variables, METH_VARARGS, "MXAutogradMarkVariables."},
    {"backward", mx_backward, METH_VARARGS, "MXAutogradBackwardEx."},
    {"to_dlpack", mx_to_dlpack, METH_O, "MXNDArrayToDLPack as a PyCapsule."},
    {"from_dlpack", mx_from_dlpack, METH_O, "MXNDArrayFromDLPack from a PyCapsule."},
    {NULL, NULL, 0, NULL}};

#endif  /* MIXNET_SWIG_PY_CALLS_H_ */
