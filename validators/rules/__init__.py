"""The rule modules, one per family; importing this package registers every rule."""

from kehoach.validators.rules import (  # noqa: F401
    completeness,
    consistency,
    fields,
    outliers,
    planning,
    projects,
    ranges,
    reading,
    structure,
    types,
)
