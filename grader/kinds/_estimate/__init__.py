"""Support code of the `estimate` kind (MLE / MAP / posterior mean, derived with sympy).

- `fmt`     text (unicode) and LaTeX display of sympy expressions and exact numbers
- `model`   models, priors, data: validation and the exact log-likelihood / log-prior
- `derive`  the one-parameter derivation (−log posterior, derivative, solve, boundary analysis,
            numeric fallback), posterior-kernel recognition and the posterior mean
- `multi`   the several-parameter cases: a Gaussian's mean and variance, a categorical's vector
"""
