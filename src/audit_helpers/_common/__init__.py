"""Pieces several areas of the audit share, each written once.

Private to the package: the areas re-export what their users need. Modules here import only
numpy, pandas and scipy (never matplotlib, scikit-learn, papermill or the runner), so every
area can depend on them.

* :mod:`.lazy`: lazy re-exports for the areas' ``__init__`` modules (importing a package's
  config does not import its computation).
"""
