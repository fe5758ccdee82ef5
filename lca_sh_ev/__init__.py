"""lca-sh-ev: regionally expanded LCA of US, second-hand exported and Mexican cars (Brightway 2.5)."""

__version__ = "0.1.0"
