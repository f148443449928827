"""mx.lr_scheduler: learning-rate schedules as functions of the number of updates (Apache MXNet 1.x's
``mxnet.lr_scheduler`` semantics, warm-up included).

A scheduler is called with the optimizer's ``num_update`` and returns the learning rate. Factor and
MultiFactor schedules keep state (they advance as updates pass and never rewind), as MXNet's do.
"""
import math

__all__ = ["LRScheduler", "FactorScheduler", "MultiFactorScheduler", "PolyScheduler", "CosineScheduler"]


class LRScheduler(object):
    """Base schedule: warm-up over ``warmup_steps`` updates, then ``base_lr``.

    warmup_mode 'linear' ramps from ``warmup_begin_lr`` to ``base_lr``; 'constant' holds
    ``warmup_begin_lr`` during the warm-up.
    """

    def __init__(self, base_lr=0.01, warmup_steps=0, warmup_begin_lr=0, warmup_mode="linear"):
        cls = type(self).__name__
        self.base_lr = base_lr
        if not isinstance(warmup_steps, int) or warmup_steps < 0:
            raise ValueError("%s: warmup_steps must be an integer >= 0, got %r" % (cls, warmup_steps))
        if warmup_begin_lr > base_lr:
            raise ValueError("%s: warmup_begin_lr (%r) must not exceed base_lr (%r)" % (cls, warmup_begin_lr, base_lr))
        if warmup_mode not in ("linear", "constant"):
            raise ValueError("%s: warmup_mode must be 'linear' or 'constant', got %r" % (cls, warmup_mode))
        self.warmup_steps = warmup_steps
        self.warmup_begin_lr = warmup_begin_lr
        self.warmup_final_lr = base_lr
        self.warmup_mode = warmup_mode

    def get_warmup_lr(self, num_update):
        """The learning rate at update ``num_update`` of the warm-up (``num_update < warmup_steps``)."""
        if num_update >= self.warmup_steps:
            raise ValueError("%s.get_warmup_lr: update %d is past the %d warm-up steps"
                             % (type(self).__name__, num_update, self.warmup_steps))
        if self.warmup_mode == "constant":
            return self.warmup_begin_lr
        increase = (self.warmup_final_lr - self.warmup_begin_lr) * float(num_update) / float(self.warmup_steps)
        return self.warmup_begin_lr + increase

    def __call__(self, num_update):
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        return self.base_lr


class FactorScheduler(LRScheduler):
    """lr = base_lr * factor ** floor((num_update - 1) / step), never below ``stop_factor_lr``."""

    def __init__(self, step, factor=1, stop_factor_lr=1e-8, base_lr=0.01, warmup_steps=0, warmup_begin_lr=0,
                 warmup_mode="linear"):
        super(FactorScheduler, self).__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if step < 1:
            raise ValueError("FactorScheduler: step must be >= 1, got %r" % (step,))
        if factor > 1.0:
            raise ValueError("FactorScheduler: factor must be <= 1 for the lr to decay, got %r" % (factor,))
        self.step = step
        self.factor = factor
        self.stop_factor_lr = stop_factor_lr
        self.count = 0

    def __call__(self, num_update):
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        # every full step passed multiplies the lr once; the state advances and never rewinds
        while num_update > self.count + self.step:
            self.count += self.step
            self.base_lr *= self.factor
            if self.base_lr < self.stop_factor_lr:
                self.base_lr = self.stop_factor_lr
        return self.base_lr


class MultiFactorScheduler(LRScheduler):
    """lr = base_lr * factor ** (number of milestones in ``step`` that num_update has passed)."""

    def __init__(self, step, factor=1, base_lr=0.01, warmup_steps=0, warmup_begin_lr=0, warmup_mode="linear"):
        super(MultiFactorScheduler, self).__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        step = list(step)
        if len(step) < 1:
            raise ValueError("MultiFactorScheduler: step must list at least one update count, got []")
        for i, s in enumerate(step):
            if i > 0 and step[i] <= step[i - 1]:
                raise ValueError("MultiFactorScheduler: step must be an increasing list, got %r" % (step,))
            if s < 1:
                raise ValueError("MultiFactorScheduler: every step must be >= 1, got %r" % (step,))
        if factor > 1.0:
            raise ValueError("MultiFactorScheduler: factor must be <= 1 for the lr to decay, got %r" % (factor,))
        self.step = step
        self.cur_step_ind = 0
        self.factor = factor
        self.count = 0

    def __call__(self, num_update):
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        while self.cur_step_ind <= len(self.step) - 1 and num_update > self.step[self.cur_step_ind]:
            self.count = self.step[self.cur_step_ind]
            self.cur_step_ind += 1
            self.base_lr *= self.factor
        return self.base_lr


class _DecayToFinal(LRScheduler):
    """Poly and Cosine: a decay from base_lr to final_lr over max_update - warmup_steps updates."""

    def __init__(self, max_update, base_lr, final_lr, warmup_steps, warmup_begin_lr, warmup_mode):
        super(_DecayToFinal, self).__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        cls = type(self).__name__
        if not isinstance(max_update, int) or max_update < 1:
            raise ValueError("%s: max_update must be an integer >= 1, got %r" % (cls, max_update))
        self.max_update = max_update
        self.final_lr = final_lr
        self.base_lr_orig = self.base_lr
        self.max_steps = self.max_update - self.warmup_steps
        if self.max_steps < 1:
            raise ValueError("%s: max_update (%d) must exceed warmup_steps (%d)" % (cls, max_update, warmup_steps))

    def _shape(self, progress):
        raise NotImplementedError

    def __call__(self, num_update):
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        if num_update <= self.max_update:
            progress = float(num_update - self.warmup_steps) / float(self.max_steps)
            self.base_lr = self.final_lr + (self.base_lr_orig - self.final_lr) * self._shape(progress)
        return self.base_lr


class PolyScheduler(_DecayToFinal):
    """lr = final_lr + (base_lr - final_lr) * (1 - t / max_steps) ** pwr, t counted after warm-up."""

    def __init__(self, max_update, base_lr=0.01, pwr=2, final_lr=0, warmup_steps=0, warmup_begin_lr=0,
                 warmup_mode="linear"):
        super(PolyScheduler, self).__init__(max_update, base_lr, final_lr, warmup_steps, warmup_begin_lr,
                                            warmup_mode)
        self.power = pwr

    def _shape(self, progress):
        return pow(1.0 - progress, self.power)


class CosineScheduler(_DecayToFinal):
    """lr = final_lr + (base_lr - final_lr) * (1 + cos(pi * t / max_steps)) / 2, t counted after warm-up."""

    def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0,
                 warmup_mode="linear"):
        super(CosineScheduler, self).__init__(max_update, base_lr, final_lr, warmup_steps, warmup_begin_lr,
                                              warmup_mode)

    def _shape(self, progress):
        return (1 + math.cos(math.pi * progress)) / 2
