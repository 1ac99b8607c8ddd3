"""The CS relay service's HTTP door (``jumin relay serve``)."""
