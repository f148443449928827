"""Random numbers (Apache MXNet 1.x's ``mx.random``): seeding and the samplers of ``mx.nd.random``."""
from . import _capi
from .ndarray.random import *  # noqa: F401,F403  (uniform, normal, randint)


def seed(seed_state, ctx="all"):
    """Seeds every random generator of the library (MXNet's ``mx.random.seed``)."""
    if not isinstance(seed_state, int):
        raise ValueError("seed: seed_state must be an int, got %r" % (seed_state,))
    _capi.MXRandomSeed(seed_state)
