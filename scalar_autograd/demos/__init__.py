"""The demos: the tour, the backward pass drawn, why backprop, two moons."""
