"""LabelDAO's Python tooling: deployment, the juror CLI's logic, Merkle trees,
EIP-712 signing, the economic simulation and its reference model."""

__all__ = ["__version__"]

__version__ = "0.1.0"
