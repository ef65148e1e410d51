"""Support code of the learning-theory kinds: `sample-complexity`, `shattering`, `vc-dimension`."""
