"""Support code of the `divergence` kind: exact entropy, cross-entropy and KL terms."""
