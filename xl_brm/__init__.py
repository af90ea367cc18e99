"""xl-brm: benefits realisation management inside NHS trusts' own Excel workbooks."""

__version__ = "0.1.0"
