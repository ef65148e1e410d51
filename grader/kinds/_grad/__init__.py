"""Support code shared by the gradient kinds (softmax, backprop, optimizer)."""
