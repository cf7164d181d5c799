"""kg-threat: ontology-backed threat modeling for machine-learning systems.

The package is laid out along the data flow of an analysis:
``load`` → ``reason`` → ``assess`` → ``validate`` / ``query`` → ``report`` / ``push``;
``pipeline`` is the one module that knows the order, ``cli`` is a thin shell over it.
"""

__version__ = "0.1.0"
