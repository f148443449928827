/*
 * Errors as Python exceptions, and NDArrayBase: the C type every mixnet.nd.NDArray is (it owns
 * the handle; `a + b` and the buffer protocol are its C slots).
 * Part of the Python glue (engine/swig/mixnet.i includes it into the SWIG wrapper; one translation
 * unit, hence the static definitions).
 */
#ifndef MIXNET_SWIG_PY_NDARRAY_H_
#define MIXNET_SWIG_PY_NDARRAY_H_

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlpack/dlpack.h>
#include <string.h>

#include "mixnet/c_api.h"

/* ---- errors --------------------------------------------------------------------------------
 * mixnet.base registers one exception class per error kind (MX_ERR_*) at import. */
#define MX_NUM_ERROR_KINDS 8
static PyObject* mx_error_classes[MX_NUM_ERROR_KINDS];

static PyObject* mx_raise_last_error(void) {
  int kind = MXGetLastErrorKind();
  PyObject* cls = NULL;
  if (kind >= 0 && kind < MX_NUM_ERROR_KINDS) cls = mx_error_classes[kind];
  if (cls == NULL) cls = mx_error_classes[0];
  if (cls == NULL) cls = PyExc_RuntimeError;
  PyErr_SetString(cls, MXGetLastError());
  return NULL;
}

/* ---- NDArrayBase: a Python object owning one NDArrayHandle ---------------------------------- */
typedef struct {
  PyObject_HEAD
  NDArrayHandle handle;
} MXNDArrayObject;

static PyTypeObject MXNDArrayBase_Type;
/* The class whose instances the library's new handles become (mixnet.ndarray.NDArray). */
static PyTypeObject* mx_ndarray_class = NULL;

static void MXNDArrayBase_dealloc(PyObject* self) {
  MXNDArrayObject* o = (MXNDArrayObject*)self;
  if (o->handle != NULL) {
    MXNDArrayFree(o->handle);
    o->handle = NULL;
  }
  Py_TYPE(self)->tp_free(self);
}

/* A new object owning h (freed at once if the object cannot be made). */
static PyObject* mx_wrap_handle(NDArrayHandle h) {
  PyTypeObject* t = mx_ndarray_class != NULL ? mx_ndarray_class : &MXNDArrayBase_Type;
  MXNDArrayObject* o = (MXNDArrayObject*)t->tp_alloc(t, 0);
  if (o == NULL) {
    MXNDArrayFree(h);
    return NULL;
  }
  o->handle = h;
  return (PyObject*)o;
}

/* The handle of an NDArray argument; TypeError naming `what` otherwise. */
static int mx_get_handle(PyObject* obj, NDArrayHandle* out, const char* what) {
  if (!PyObject_TypeCheck(obj, &MXNDArrayBase_Type)) {
    PyErr_Format(mx_error_classes[2] ? mx_error_classes[2] : PyExc_TypeError,
                 "%s: expected an NDArray, got %.200s", what, Py_TYPE(obj)->tp_name);
    return -1;
  }
  *out = ((MXNDArrayObject*)obj)->handle;
  if (*out == NULL) {
    PyErr_Format(mx_error_classes[1] ? mx_error_classes[1] : PyExc_ValueError,
                 "%s: the NDArray was already freed", what);
    return -1;
  }
  return 0;
}

static PyObject* MXNDArrayBase_get_handle_value(PyObject* self, void* closure) {
  (void)closure;
  return PyLong_FromVoidPtr(((MXNDArrayObject*)self)->handle);
}

static PyObject* MXNDArrayBase_free(PyObject* self, PyObject* unused) {
  (void)unused;
  MXNDArrayObject* o = (MXNDArrayObject*)self;
  if (o->handle != NULL) {
    NDArrayHandle h = o->handle;
    o->handle = NULL;
    if (MXNDArrayFree(h) != 0) return mx_raise_last_error();
  }
  Py_RETURN_NONE;
}

static PyGetSetDef MXNDArrayBase_getset[] = {
    {"_handle_value", MXNDArrayBase_get_handle_value, NULL, "the raw handle as an int", NULL},
    {NULL, NULL, NULL, NULL, NULL}};
static PyMethodDef MXNDArrayBase_methods[] = {
    {"_free", MXNDArrayBase_free, METH_NOARGS, "Releases the handle now (idempotent)."},
    {NULL, NULL, 0, NULL}};

static PyTypeObject MXNDArrayBase_Type = {
    PyVarObject_HEAD_INIT(NULL, 0) "mixnet.capi.NDArrayBase", /* tp_name */
    sizeof(MXNDArrayObject),                                  /* tp_basicsize */
};

/* `a + b`, the commonest op, without a Python frame: two NDArrays go straight to broadcast_add
 * (MXNet 1.x's NDArray + NDArray); everything else goes to the Python methods _add / _radd. */
static OpHandle mx_broadcast_add = NULL;

static PyObject* MXNDArrayBase_nb_add(PyObject* a, PyObject* b) {
  if (Py_TYPE(a) == mx_ndarray_class && Py_TYPE(b) == mx_ndarray_class &&
      ((MXNDArrayObject*)a)->handle != NULL && ((MXNDArrayObject*)b)->handle != NULL) {
    if (mx_broadcast_add == NULL && NNGetOpHandle("broadcast_add", &mx_broadcast_add) != 0) {
      return mx_raise_last_error();
    }
    NDArrayHandle in[2] = {((MXNDArrayObject*)a)->handle, ((MXNDArrayObject*)b)->handle};
    int n_out = 0;
    NDArrayHandle* outs = NULL;
    if (MXImperativeInvoke(mx_broadcast_add, 2, in, &n_out, &outs, 0, NULL, NULL) != 0) {
      return mx_raise_last_error();
    }
    return mx_wrap_handle(outs[0]);
  }
  if (PyObject_TypeCheck(a, &MXNDArrayBase_Type)) return PyObject_CallMethod(a, "_add", "O", b);
  return PyObject_CallMethod(b, "_radd", "O", a);
}

static PyNumberMethods MXNDArrayBase_as_number;

/* The buffer protocol (memoryview(x), np.asarray(x)): the array's own memory, C-contiguous and
 * writable, after pending writes are waited for (MXNDArrayGetData), as DLPack export does. The
 * shape and strides live in view->internal until the buffer is released. bfloat16 has no buffer
 * format: it raises BufferError, and NumPy falls back to __array__ (a copy). */
static int MXNDArrayBase_getbuffer(PyObject* self, Py_buffer* view, int flags) {
  MXNDArrayObject* o = (MXNDArrayObject*)self;
  view->obj = NULL;
  if (o->handle == NULL) {
    PyErr_SetString(PyExc_BufferError, "NDArray: the array was already freed");
    return -1;
  }
  int dtype = -1;
  if (MXNDArrayGetDType(o->handle, &dtype) != 0) {
    mx_raise_last_error();
    return -1;
  }
  const char* fmt;
  Py_ssize_t itemsize;
  switch (dtype) {
    case MX_FLOAT32: fmt = "f"; itemsize = 4; break;
    case MX_FLOAT64: fmt = "d"; itemsize = 8; break;
    case MX_FLOAT16: fmt = "e"; itemsize = 2; break;
    case MX_UINT8: fmt = "B"; itemsize = 1; break;
    case MX_INT32: fmt = "i"; itemsize = 4; break;
    case MX_INT8: fmt = "b"; itemsize = 1; break;
    case MX_INT64: fmt = "q"; itemsize = 8; break;
    case MX_BOOL: fmt = "?"; itemsize = 1; break;
    default:
      PyErr_SetString(PyExc_BufferError, "NDArray: this dtype (bfloat16) has no buffer format; use asnumpy() or DLPack");
      return -1;
  }
  int ndim = 0;
  const dim_t* dims = NULL;
  if (MXNDArrayGetShapeEx64(o->handle, &ndim, &dims) != 0) {
    mx_raise_last_error();
    return -1;
  }
  if (ndim < 0) {
    PyErr_SetString(PyExc_BufferError, "NDArray: a none array has no data");
    return -1;
  }
  Py_ssize_t* ss = (Py_ssize_t*)PyMem_Malloc(sizeof(Py_ssize_t) * 2 * (ndim > 0 ? ndim : 1));
  if (ss == NULL) {
    PyErr_NoMemory();
    return -1;
  }
  Py_ssize_t n = 1;
  for (int i = 0; i < ndim; ++i) {
    ss[i] = (Py_ssize_t)dims[i];
    n *= ss[i];
  }
  for (int i = ndim - 1; i >= 0; --i) {  /* C-contiguous strides in bytes */
    ss[ndim + i] = i == ndim - 1 ? itemsize : ss[ndim + i + 1] * ss[i + 1];
  }
  static char empty_storage[8];
  void* data = empty_storage;
  if (n > 0) {
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = MXNDArrayGetData(o->handle, &data);
    Py_END_ALLOW_THREADS
    if (rc != 0) {
      PyMem_Free(ss);
      mx_raise_last_error();
      return -1;
    }
  }
  view->buf = data;
  view->obj = self;
  Py_INCREF(self);
  view->len = n * itemsize;
  view->readonly = 0;
  view->itemsize = itemsize;
  view->format = (flags & PyBUF_FORMAT) ? (char*)fmt : NULL;
  view->ndim = ndim;
  view->shape = (flags & PyBUF_ND) == PyBUF_ND ? ss : NULL;
  view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? ss + ndim : NULL;
  view->suboffsets = NULL;
  view->internal = ss;
  return 0;
}

static void MXNDArrayBase_releasebuffer(PyObject* self, Py_buffer* view) {
  (void)self;
  PyMem_Free(view->internal);
}

static PyBufferProcs MXNDArrayBase_as_buffer = {MXNDArrayBase_getbuffer, MXNDArrayBase_releasebuffer};

#endif  /* MIXNET_SWIG_PY_NDARRAY_H_ */
