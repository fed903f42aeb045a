"""nas_kit: faithful, readable implementations of the classic NAS methods, organised along the survey's three
dimensions (spaces, strategies, estimation) over models, training, data and pictures; README.md has the layout."""
