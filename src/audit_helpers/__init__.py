"""Pre-deployment fairness and drift audit for hiring-screen models."""

__version__ = "0.1.0"
