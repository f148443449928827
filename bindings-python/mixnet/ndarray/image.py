"""mx.nd.image: ops routed here by MXNet 1.x's name prefix (filled in by mixnet.ndarray)."""
