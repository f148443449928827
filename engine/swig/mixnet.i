/*
 * SWIG interface of the Python glue over libmixnet's C ABI (engine/include/mixnet/c_api.h).
 *
 * SWIG wraps the C ABI functions one to one, with typemaps that make them Pythonic:
 *   - NDArray handles are objects of the C type NDArrayBase (mixnet.ndarray.NDArray derives from
 *     it); a handle returned through an out-parameter becomes a new object that owns it and frees
 *     it when collected; the op handle is a plain int;
 *   - out-parameters become return values (shapes as tuples, string lists as lists of str);
 *   - every call whose status is -1 raises the mixnet.base.MXNetError subclass registered for
 *     MXGetLastErrorKind(), with MXGetLastError() as its message;
 *   - the GIL is released around every wrapped call (-threads), so that an engine thread running
 *     a Python deleter (DLPack from NumPy) never waits on a caller blocked in the engine.
 *
 * Hand-written C (py_ndarray.h, py_calls.h, included below) covers what SWIG's per-function
 * wrappers would make slow or awkward: the NDArrayBase type, the op-dispatch hot path `invoke` (METH_FASTCALL, no
 * argument parsing, no SWIG pointer objects), DLPack capsules, and the multi-array autograd calls.
 */
%module(package="mixnet") capi

%{
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlpack/dlpack.h>
#include <string.h>
#include "mixnet/c_api.h"
#include "py_ndarray.h"
#include "py_calls.h"
%}

%init %{
  MXNDArrayBase_Type.tp_dealloc = MXNDArrayBase_dealloc;
  MXNDArrayBase_Type.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;
  MXNDArrayBase_Type.tp_doc = "An array handle of libmixnet (base of mixnet.nd.NDArray).";
  MXNDArrayBase_Type.tp_getset = MXNDArrayBase_getset;
  MXNDArrayBase_Type.tp_methods = MXNDArrayBase_methods;
  MXNDArrayBase_Type.tp_new = PyType_GenericNew;
  MXNDArrayBase_as_number.nb_add = MXNDArrayBase_nb_add;
  MXNDArrayBase_Type.tp_as_number = &MXNDArrayBase_as_number;
  MXNDArrayBase_Type.tp_as_buffer = &MXNDArrayBase_as_buffer;
  if (PyType_Ready(&MXNDArrayBase_Type) < 0) return NULL;
  Py_INCREF(&MXNDArrayBase_Type);
  PyModule_AddObject(m, "NDArrayBase", (PyObject*)&MXNDArrayBase_Type);
  if (PyModule_AddFunctions(m, mx_fast_methods) < 0) return NULL;
%}

%include <stdint.i>

/* ---- status and errors ---------------------------------------------------------------------- */
%exception {
  $action
  if (result != 0) {
    mx_raise_last_error();
    SWIG_fail;
  }
}
%typemap(out) int "$result = SWIG_Py_Void();";
%exception MXGetLastError { $action }
%exception MXGetLastErrorKind { $action }
%typemap(out) int MXGetLastErrorKind "$result = PyLong_FromLong($1);";

/* ---- handles -------------------------------------------------------------------------------- */
%typemap(in) NDArrayHandle handle {
  if (mx_get_handle($input, &$1, "$symname") != 0) SWIG_fail;
}
%typemap(in, numinputs=0) NDArrayHandle* out (NDArrayHandle tmp = NULL) { $1 = ($1_ltype)&tmp; }
%typemap(argout) NDArrayHandle* out {
  PyObject* o;
  if (*$1 == NULL) {
    Py_INCREF(Py_None);
    o = Py_None;
  } else {
    o = mx_wrap_handle(*$1);
    if (o == NULL) SWIG_fail;
  }
  $result = SWIG_Python_AppendOutput($result, o);
}
%typemap(in, numinputs=0) OpHandle* out (OpHandle tmp = NULL) { $1 = ($1_ltype)&tmp; }
%typemap(argout) OpHandle* out {
  $result = SWIG_Python_AppendOutput($result, PyLong_FromVoidPtr((void*)*$1));
}

/* ---- scalar out-parameters ------------------------------------------------------------------ */
%typemap(in, numinputs=0) int* out (int tmp = 0), int* out_dtype (int tmp = 0),
    int* out_dev_type (int tmp = 0), int* out_dev_id (int tmp = 0), int* prev (int tmp = 0),
    int* out_num_workers (int tmp = 0), int* out_num_threads (int tmp = 0) { $1 = ($1_ltype)&tmp; }
%typemap(argout) int* out, int* out_dtype, int* out_dev_type, int* out_dev_id, int* prev,
    int* out_num_workers, int* out_num_threads {
  $result = SWIG_Python_AppendOutput($result, PyLong_FromLong(*$1));
}
%typemap(in, numinputs=0) bool* curr (bool tmp = false) { $1 = ($1_ltype)&tmp; }
%typemap(argout) bool* curr { $result = SWIG_Python_AppendOutput($result, PyBool_FromLong(*$1)); }
%typemap(in, numinputs=0) void** out_pdata (void* tmp = NULL) { $1 = ($1_ltype)&tmp; }
%typemap(argout) void** out_pdata { $result = SWIG_Python_AppendOutput($result, PyLong_FromVoidPtr(*$1)); }

/* ---- shapes --------------------------------------------------------------------------------- */
%typemap(in, numinputs=0) (int* out_dim, const dim_t** out_pdata) (int dim = 0, const dim_t* data = NULL) {
  $1 = ($1_ltype)&dim;
  $2 = ($2_ltype)&data;
}
%typemap(argout) (int* out_dim, const dim_t** out_pdata) {
  PyObject* t;
  if (*$1 < 0) {
    Py_INCREF(Py_None);
    t = Py_None;
  } else {
    t = PyTuple_New(*$1);
    for (int i = 0; t != NULL && i < *$1; ++i) PyTuple_SET_ITEM(t, i, PyLong_FromLongLong((*$2)[i]));
  }
  $result = SWIG_Python_AppendOutput($result, t);
}
/* A shape argument: any sequence of ints. */
%typemap(in) (const dim_t* shape, int ndim) (dim_t buf[32]) {
  PyObject* fast = PySequence_Fast($input, "shape must be a sequence of ints");
  if (fast == NULL) SWIG_fail;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
  if (n > 32) {
    Py_DECREF(fast);
    PyErr_SetString(PyExc_ValueError, "shape: at most 32 dimensions");
    SWIG_fail;
  }
  for (Py_ssize_t i = 0; i < n; ++i) buf[i] = PyLong_AsLongLong(PySequence_Fast_ITEMS(fast)[i]);
  Py_DECREF(fast);
  if (PyErr_Occurred()) SWIG_fail;
  $1 = ($1_ltype)buf;
  $2 = (int)n;
}
%typemap(in) (int ndim, const dim_t* dims) (dim_t buf[32]) {
  PyObject* fast = PySequence_Fast($input, "shape must be a sequence of ints");
  if (fast == NULL) SWIG_fail;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
  if (n > 32) {
    Py_DECREF(fast);
    PyErr_SetString(PyExc_ValueError, "shape: at most 32 dimensions");
    SWIG_fail;
  }
  for (Py_ssize_t i = 0; i < n; ++i) buf[i] = PyLong_AsLongLong(PySequence_Fast_ITEMS(fast)[i]);
  Py_DECREF(fast);
  if (PyErr_Occurred()) SWIG_fail;
  $1 = (int)n;
  $2 = ($2_ltype)buf;
}

/* ---- strings -------------------------------------------------------------------------------- */
%typemap(in, numinputs=0) (mx_uint* out_size, const char*** out_array) (mx_uint n = 0, const char** a = NULL) {
  $1 = ($1_ltype)&n;
  $2 = ($2_ltype)&a;
}
%typemap(argout) (mx_uint* out_size, const char*** out_array) {
  PyObject* l = PyList_New(*$1);
  for (mx_uint i = 0; l != NULL && i < *$1; ++i) PyList_SET_ITEM(l, i, PyUnicode_FromString((*$2)[i]));
  $result = SWIG_Python_AppendOutput($result, l);
}
%typemap(in, numinputs=0) (const char** out_json, const char** out_hash) (const char* j = NULL, const char* h = NULL) {
  $1 = ($1_ltype)&j;
  $2 = ($2_ltype)&h;
}
%typemap(argout) (const char** out_json, const char** out_hash) {
  $result = SWIG_Python_AppendOutput($result, PyUnicode_FromString(*$1));
  $result = SWIG_Python_AppendOutput($result, PyUnicode_FromString(*$2));
}

/* ---- host buffers (buffer protocol) --------------------------------------------------------- */
%typemap(in) const void* data (Py_buffer view) {
  if (PyObject_GetBuffer($input, &view, PyBUF_C_CONTIGUOUS) != 0) SWIG_fail;
  $1 = view.buf;
}
%typemap(freearg) const void* data { PyBuffer_Release(&view$argnum); }
%typemap(in) void* data (Py_buffer view) {
  if (PyObject_GetBuffer($input, &view, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) != 0) SWIG_fail;
  $1 = view.buf;
}
%typemap(freearg) void* data { PyBuffer_Release(&view$argnum); }
%typemap(in) (const void* buf, size_t size) (Py_buffer view) {
  if (PyObject_GetBuffer($input, &view, PyBUF_C_CONTIGUOUS) != 0) SWIG_fail;
  $1 = view.buf;
  $2 = (size_t)view.len;
}
%typemap(freearg) (const void* buf, size_t size) { PyBuffer_Release(&view$argnum); }

/* ---- .params files -------------------------------------------------------------------------- */
%typemap(in) (mx_uint num_args, NDArrayHandle* args) (NDArrayHandle* hs = NULL) {
  Py_ssize_t n = mx_handle_list($input, &hs, 0, "save");
  if (n < 0) SWIG_fail;
  $1 = (mx_uint)n;
  $2 = ($2_ltype)hs;
}
%typemap(freearg) (mx_uint num_args, NDArrayHandle* args) { PyMem_Free(hs$argnum); }
/* keys: None for an unnamed list, else a list of str. */
%typemap(in) const char** keys (PyObject* fast = NULL, const char** ks = NULL) {
  if ($input != Py_None) {
    fast = PySequence_Fast($input, "keys must be a list of str or None");
    if (fast == NULL) SWIG_fail;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    ks = PyMem_Malloc(sizeof(char*) * (n > 0 ? n : 1));
    for (Py_ssize_t i = 0; ks != NULL && i < n; ++i) {
      ks[i] = PyUnicode_AsUTF8(PySequence_Fast_ITEMS(fast)[i]);
      if (ks[i] == NULL) SWIG_fail;
    }
  }
  $1 = ($1_ltype)ks;
}
%typemap(freearg) const char** keys {
  PyMem_Free(ks$argnum);
  Py_XDECREF(fast$argnum);
}
%typemap(in, numinputs=0) (mx_uint* out_size, NDArrayHandle** out_arr, mx_uint* out_name_size, const char*** out_names)
    (mx_uint n = 0, NDArrayHandle* arr = NULL, mx_uint nn = 0, const char** names = NULL) {
  $1 = ($1_ltype)&n;
  $2 = ($2_ltype)&arr;
  $3 = ($3_ltype)&nn;
  $4 = ($4_ltype)&names;
}
%typemap(argout) (mx_uint* out_size, NDArrayHandle** out_arr, mx_uint* out_name_size, const char*** out_names) {
  PyObject* names = PyList_New(*$3);
  for (mx_uint i = 0; names != NULL && i < *$3; ++i) PyList_SET_ITEM(names, i, PyUnicode_FromString((*$4)[i]));
  PyObject* arrays = mx_wrap_handle_array(*$2, *$1);
  if (arrays == NULL || names == NULL) {
    Py_XDECREF(arrays);
    Py_XDECREF(names);
    SWIG_fail;
  }
  /* One (arrays, names) tuple: appending two lists would merge them. */
  $result = SWIG_Python_AppendOutput($result, Py_BuildValue("(NN)", arrays, names));
}
%typemap(in, numinputs=0) (size_t* out_size, const char** out_buf) (size_t n = 0, const char* b = NULL) {
  $1 = ($1_ltype)&n;
  $2 = ($2_ltype)&b;
}
%typemap(argout) (size_t* out_size, const char** out_buf) {
  $result = SWIG_Python_AppendOutput($result, PyBytes_FromStringAndSize(*$2, (Py_ssize_t)*$1));
}

/* Replaced by the hand-written functions above, or not meant for Python. */
%ignore MXNDArrayFree;
%ignore MXNDArrayCreateEx;
%ignore MXNDArrayGetShapeEx;
%ignore MXImperativeInvoke;
%ignore MXAutogradMarkVariables;
%ignore MXAutogradBackwardEx;
%ignore MXAutogradBackward;
%ignore MXNDArrayToDLPack;
%ignore MXNDArrayFromDLPack;
%ignore MXNDArrayCallDLPackDeleter;

/* c_api.h marks functions with __attribute__((visibility)), which SWIG cannot parse. */
#define __attribute__(x)
%include "mixnet/c_api.h"
