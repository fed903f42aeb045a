"""Interactive widgets (ipywidgets) for the notebooks; their logic is in plain methods that tests drive."""
from nas_kit.widgets.explorer import ArchitectureExplorer, format_size

__all__ = ["ArchitectureExplorer", "format_size"]
