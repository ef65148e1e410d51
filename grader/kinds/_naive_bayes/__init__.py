"""Support code of the `naive-bayes` kind: the table, the estimates and the scores, exact."""
