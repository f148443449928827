"""mx.metric: evaluation metrics (Apache MXNet 1.x's ``mxnet.metric`` semantics), computed with NumPy
on the host after ``asnumpy()``.

Every metric keeps a local and a global running sum: ``get()`` reads the local one (cleared by
``reset_local()``), ``get_global()`` the global one (``reset()`` clears both).
"""
from collections import OrderedDict

import numpy

__all__ = ["EvalMetric", "CompositeEvalMetric", "Accuracy", "TopKAccuracy", "F1", "MAE", "MSE", "RMSE",
           "CrossEntropy", "Loss", "CustomMetric", "create", "register", "check_label_shapes", "np"]

_REGISTRY = {}


def register(klass, *aliases):
    """Registers a metric class under its lower-cased name (and aliases) for create()."""
    _REGISTRY[klass.__name__.lower()] = klass
    for a in aliases:
        _REGISTRY[a] = klass
    return klass


def _alias(*aliases):
    def deco(klass):
        return register(klass, *aliases)
    return deco


def _host(x):
    """A NumPy array of an NDArray, NumPy array or list."""
    return x.asnumpy() if hasattr(x, "asnumpy") else numpy.asarray(x)


def check_label_shapes(labels, preds, wrap=False, shape=False):
    """Checks labels and preds agree in number (shape=False) or in shape (shape=True); wrap puts single
    arrays into lists."""
    if not shape:
        label_shape, pred_shape = len(labels), len(preds)
    else:
        label_shape, pred_shape = labels.shape, preds.shape
    if label_shape != pred_shape:
        raise ValueError("Shape of labels {} does not match shape of predictions {}".format(label_shape, pred_shape))
    if wrap:
        if not isinstance(labels, (list, tuple)):
            labels = [labels]
        if not isinstance(preds, (list, tuple)):
            preds = [preds]
    return labels, preds


class EvalMetric(object):
    """Base class: subclasses implement ``update(labels, preds)`` accumulating ``sum_metric`` and
    ``num_inst`` (and their global twins); the value is sum_metric / num_inst (nan before any)."""

    def __init__(self, name, output_names=None, label_names=None, **kwargs):
        self.name = str(name)
        self.output_names = output_names
        self.label_names = label_names
        self._has_global_stats = kwargs.pop("has_global_stats", False)
        self._kwargs = kwargs
        self.reset()

    def __str__(self):
        return "EvalMetric: {}".format(dict(self.get_name_value()))

    def get_config(self):
        """The configuration the metric was made with."""
        config = self._kwargs.copy()
        config.update({"metric": type(self).__name__, "name": self.name, "output_names": self.output_names,
                       "label_names": self.label_names})
        return config

    def update_dict(self, label, pred):
        """Updates from dicts of name -> array, filtered by output_names/label_names."""
        if self.output_names is not None:
            pred = [pred[name] for name in self.output_names]
        else:
            pred = list(pred.values())
        if self.label_names is not None:
            label = [label[name] for name in self.label_names]
        else:
            label = list(label.values())
        self.update(label, pred)

    def update(self, labels, preds):
        raise NotImplementedError()

    def _add(self, metric, inst):
        self.sum_metric += metric
        self.num_inst += inst
        self.global_sum_metric += metric
        self.global_num_inst += inst

    def reset(self):
        """Clears the local and global statistics."""
        self.num_inst = 0
        self.sum_metric = 0.0
        self.global_num_inst = 0
        self.global_sum_metric = 0.0

    def reset_local(self):
        """Clears the local statistics only."""
        self.num_inst = 0
        self.sum_metric = 0.0

    def get(self):
        """(name, value) of the local statistics."""
        if self.num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, self.sum_metric / self.num_inst)

    def get_global(self):
        """(name, value) of the global statistics."""
        if not self._has_global_stats:
            return self.get()
        if self.global_num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, self.global_sum_metric / self.global_num_inst)

    def _pairs(self, name, value):
        if not isinstance(name, list):
            name = [name]
        if not isinstance(value, list):
            value = [value]
        return list(zip(name, value))

    def get_name_value(self):
        """[(name, value)] of the local statistics."""
        return self._pairs(*self.get())

    def get_global_name_value(self):
        """[(name, value)] of the global statistics."""
        return self._pairs(*self.get_global())


@_alias("composite")
class CompositeEvalMetric(EvalMetric):
    """Several metrics updated together; get() gives ([names], [values])."""

    def __init__(self, metrics=None, name="composite", output_names=None, label_names=None):
        super(CompositeEvalMetric, self).__init__(name, output_names=output_names, label_names=label_names,
                                                  has_global_stats=True)
        self.metrics = [create(m) for m in (metrics or [])]

    def add(self, metric):
        """Adds a metric (an EvalMetric or anything create() takes)."""
        self.metrics.append(create(metric))

    def get_metric(self, index):
        """The index-th child metric."""
        try:
            return self.metrics[index]
        except IndexError:
            raise ValueError("Metric index {} is out of range 0 and {}".format(index, len(self.metrics)))

    def update_dict(self, labels, preds):
        for metric in self.metrics:
            metric.update_dict(labels, preds)

    def update(self, labels, preds):
        for metric in self.metrics:
            metric.update(labels, preds)

    def reset(self):
        for metric in getattr(self, "metrics", []):
            metric.reset()

    def reset_local(self):
        for metric in self.metrics:
            metric.reset_local()

    def _collect(self, getter):
        names, values = [], []
        for metric in self.metrics:
            name, value = getattr(metric, getter)()
            names.extend(name if isinstance(name, list) else [name])
            values.extend(value if isinstance(value, list) else [value])
        return (names, values)

    def get(self):
        return self._collect("get")

    def get_global(self):
        return self._collect("get_global")


@_alias("acc")
class Accuracy(EvalMetric):
    """Fraction of predictions equal to the label; predictions shaped unlike their labels are
    reduced by argmax over ``axis`` first."""

    def __init__(self, axis=1, name="accuracy", output_names=None, label_names=None):
        super(Accuracy, self).__init__(name, axis=axis, output_names=output_names, label_names=label_names,
                                       has_global_stats=True)
        self.axis = axis

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = _host(label), _host(pred)
            if pred.shape != label.shape:
                pred = numpy.argmax(pred, axis=self.axis)
            pred = pred.astype("int32").ravel()
            label = label.astype("int32").ravel()
            check_label_shapes(label, pred)
            self._add(int((pred == label).sum()), len(pred))


@_alias("top_k_accuracy", "top_k_acc")
class TopKAccuracy(EvalMetric):
    """Fraction of samples whose label is among the top_k highest-scored classes."""

    def __init__(self, top_k=1, name="top_k_accuracy", output_names=None, label_names=None):
        if top_k < 1:
            raise ValueError("TopKAccuracy: top_k must be >= 1, got %r" % (top_k,))
        super(TopKAccuracy, self).__init__(name, top_k=top_k, output_names=output_names, label_names=label_names,
                                           has_global_stats=True)
        self.top_k = top_k
        self.name += "_%d" % self.top_k

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = _host(label).astype("int32"), _host(pred).astype("float32")
            if pred.ndim > 2:
                raise ValueError("TopKAccuracy: predictions must be 1- or 2-dimensional, got shape %s" % (pred.shape,))
            order = numpy.argsort(pred, axis=-1, kind="stable")
            check_label_shapes(label, order)
            num_samples = order.shape[0]
            if order.ndim == 1:
                correct = int((order.flat == label.flat).sum())
            else:
                num_classes = order.shape[1]
                top_k = min(num_classes, self.top_k)
                correct = sum(int((order[:, num_classes - 1 - j].flat == label.flat).sum()) for j in range(top_k))
            self._add(correct, num_samples)


@_alias("f1")
class F1(EvalMetric):
    """Binary F1 score of argmax(pred, axis=1) against 0/1 labels. average='macro' averages the F1 of
    each update; 'micro' computes it over all samples seen."""

    def __init__(self, name="f1", output_names=None, label_names=None, average="macro"):
        if average not in ("macro", "micro"):
            raise ValueError("F1: average must be 'macro' or 'micro', got %r" % (average,))
        self.average = average
        super(F1, self).__init__(name=name, output_names=output_names, label_names=label_names,
                                 has_global_stats=True)

    @staticmethod
    def _fscore(tp, fp, fn):
        precision = tp / float(tp + fp) if tp + fp > 0 else 0.0
        recall = tp / float(tp + fn) if tp + fn > 0 else 0.0
        return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = _host(label).astype("int32").ravel(), _host(pred)
            pred_label = numpy.argmax(pred, axis=1).ravel()
            check_label_shapes(label, pred_label)
            if len(numpy.unique(label)) > 2:
                raise ValueError("F1 currently only supports binary classification, got labels %s"
                                 % (numpy.unique(label),))
            tp = int(((pred_label == 1) & (label == 1)).sum())
            fp = int(((pred_label == 1) & (label == 0)).sum())
            fn = int(((pred_label == 0) & (label == 1)).sum())
            tn = int(((pred_label == 0) & (label == 0)).sum())
            if self.average == "macro":
                self._add(self._fscore(tp, fp, fn), 1)
            else:
                for scope in ("", "global_"):
                    counts = getattr(self, "_%scounts" % scope)
                    for k, v in zip(("tp", "fp", "fn", "n"), (tp, fp, fn, tp + fp + fn + tn)):
                        counts[k] += v
                    setattr(self, "%ssum_metric" % scope,
                            self._fscore(counts["tp"], counts["fp"], counts["fn"]) * counts["n"])
                    setattr(self, "%snum_inst" % scope, counts["n"])

    def reset(self):
        super(F1, self).reset()
        self._counts = dict(tp=0, fp=0, fn=0, n=0)
        self._global_counts = dict(tp=0, fp=0, fn=0, n=0)

    def reset_local(self):
        super(F1, self).reset_local()
        self._counts = dict(tp=0, fp=0, fn=0, n=0)


def _regression_pairs(labels, preds):
    labels, preds = check_label_shapes(labels, preds, True)
    for label, pred in zip(labels, preds):
        label, pred = _host(label), _host(pred)
        if label.ndim == 1:
            label = label.reshape(label.shape[0], 1)
        if pred.ndim == 1:
            pred = pred.reshape(pred.shape[0], 1)
        yield label, pred


@_alias("mae")
class MAE(EvalMetric):
    """Mean absolute error: the mean of |label - pred| of each update, averaged over updates."""

    def __init__(self, name="mae", output_names=None, label_names=None):
        super(MAE, self).__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def update(self, labels, preds):
        for label, pred in _regression_pairs(labels, preds):
            self._add(float(numpy.abs(label - pred).mean()), 1)


@_alias("mse")
class MSE(EvalMetric):
    """Mean squared error: the mean of (label - pred)^2 of each update, averaged over updates."""

    def __init__(self, name="mse", output_names=None, label_names=None):
        super(MSE, self).__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def update(self, labels, preds):
        for label, pred in _regression_pairs(labels, preds):
            self._add(float(((label - pred) ** 2.0).mean()), 1)


@_alias("rmse")
class RMSE(EvalMetric):
    """Root mean squared error: sqrt of the mean of (label - pred)^2 of each update, averaged over
    updates."""

    def __init__(self, name="rmse", output_names=None, label_names=None):
        super(RMSE, self).__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def update(self, labels, preds):
        for label, pred in _regression_pairs(labels, preds):
            self._add(float(numpy.sqrt(((label - pred) ** 2.0).mean())), 1)


@_alias("ce", "cross-entropy")
class CrossEntropy(EvalMetric):
    """Mean over samples of -log(p[label] + eps), p the predicted class probabilities."""

    def __init__(self, eps=1e-12, name="cross-entropy", output_names=None, label_names=None):
        super(CrossEntropy, self).__init__(name, eps=eps, output_names=output_names, label_names=label_names,
                                           has_global_stats=True)
        self.eps = eps

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = _host(label).ravel(), _host(pred)
            if label.shape[0] != pred.shape[0]:
                raise ValueError("CrossEntropy: %d labels for %d predictions" % (label.shape[0], pred.shape[0]))
            prob = pred[numpy.arange(label.shape[0]), numpy.int64(label)]
            self._add(float((-numpy.log(prob + self.eps)).sum()), label.shape[0])


@_alias("loss")
class Loss(EvalMetric):
    """Mean of loss values: the sum of every prediction's elements over their number (labels ignored)."""

    def __init__(self, name="loss", output_names=None, label_names=None):
        super(Loss, self).__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def update(self, _, preds):
        if not isinstance(preds, (list, tuple)):
            preds = [preds]
        for pred in preds:
            pred = _host(pred)
            self._add(float(pred.sum()), pred.size)


class CustomMetric(EvalMetric):
    """A metric from feval(label, pred) -> value or (sum_metric, num_inst), on NumPy arrays."""

    def __init__(self, feval, name=None, allow_extra_outputs=False, output_names=None, label_names=None):
        if name is None:
            name = feval.__name__
            if name.find("<") != -1:
                name = "custom(%s)" % name
        super(CustomMetric, self).__init__(name, feval=feval, allow_extra_outputs=allow_extra_outputs,
                                           output_names=output_names, label_names=label_names,
                                           has_global_stats=True)
        self._feval = feval
        self._allow_extra_outputs = allow_extra_outputs

    def update(self, labels, preds):
        if not self._allow_extra_outputs:
            labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            value = self._feval(_host(label), _host(pred))
            if isinstance(value, tuple):
                self._add(value[0], value[1])
            else:
                self._add(value, 1)


def create(metric, *args, **kwargs):
    """A metric from a name ('acc', 'ce', 'top_k_accuracy', ...), a callable feval (CustomMetric), a
    list of those (CompositeEvalMetric), or an EvalMetric (returned as is)."""
    if callable(metric) and not isinstance(metric, type):
        return CustomMetric(metric, *args, **kwargs)
    if isinstance(metric, EvalMetric):
        return metric
    if isinstance(metric, list):
        composite = CompositeEvalMetric()
        for child in metric:
            composite.add(create(child, *args, **kwargs))
        return composite
    if not isinstance(metric, str):
        raise TypeError("mx.metric.create: expects a name, a callable, a list or an EvalMetric, got %r" % (metric,))
    klass = _REGISTRY.get(metric.lower())
    if klass is None:
        raise ValueError("mx.metric.create: unknown metric '%s' (known: %s)" % (metric, ", ".join(sorted(_REGISTRY))))
    return klass(*args, **kwargs)


def np(numpy_feval, name=None, allow_extra_outputs=False):
    """A CustomMetric from a NumPy function feval(label, pred) (MXNet's mx.metric.np)."""
    def feval(label, pred):
        return numpy_feval(label, pred)
    feval.__name__ = numpy_feval.__name__
    return CustomMetric(feval, name, allow_extra_outputs)
