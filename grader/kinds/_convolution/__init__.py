"""Support code of the `convolution` kind (not a kind itself)."""
