"""Interactive widgets (ipywidgets) for the notebooks; their logic is in plain methods that tests drive."""
from nas_kit.widgets.explorer import ArchitectureExplorer, count_parameters_of, format_size, network_of

__all__ = ["ArchitectureExplorer", "count_parameters_of", "format_size", "network_of"]
