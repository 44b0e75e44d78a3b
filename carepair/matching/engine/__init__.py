"""The record-linkage engine (比对引擎) of big data comparison: a plain Python package
(no Django inside), callable from the web application, a background job or its own CLI.

    from carepair.matching.engine import link
    result = link("registry.parquet", "deaths.csv")   # result.pairs: a pyarrow Table
"""

from .io import COLUMNS, LinkInputError, check_output, read_list, write_pairs
from .link import LinkResult, Settings, link, normalise_list

__all__ = [
    "COLUMNS",
    "LinkInputError",
    "LinkResult",
    "Settings",
    "check_output",
    "link",
    "normalise_list",
    "read_list",
    "write_pairs",
]
