"""Pieces several areas of the audit share, each written once.

Private to the package: the areas re-export what their users need. Modules here import only
numpy, pandas and scipy (never matplotlib, scikit-learn, papermill or the runner), so every
area can depend on them. ``_plots`` (the figures' colours and theme) is the one plotting module;
it imports matplotlib inside its functions.
"""
