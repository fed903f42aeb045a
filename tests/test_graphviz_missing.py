"""A missing Graphviz `dot` gives one clear sentence, and the DOT source stays available."""
import pytest

from nas_kit.spaces.toy1d import ToyArchitecture
from nas_kit.viz import graphviz_tools
from nas_kit.viz.graphviz_tools import Drawing, GraphvizNotFound, to_svg
from nas_kit.viz.toy import toy_dag


@pytest.fixture
def no_dot(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert not graphviz_tools.dot_available()


def test_missing_dot_raises_one_sentence_saying_what_to_do(no_dot):
    graph = toy_dag(ToyArchitecture("relu", True))
    with pytest.raises(GraphvizNotFound) as err:
        to_svg(graph)
    message = str(err.value)
    assert "\n" not in message and message.count(". ") == 0 and message.endswith(".")
    assert "apt-get install graphviz" in message and "make setup" in message
    assert "x -> z" in graph.source  # the DOT source still works without `dot`


def test_a_drawing_shows_the_sentence_instead_of_a_traceback(no_dot):
    bundle = Drawing(toy_dag(ToyArchitecture("tanh", False)))._repr_mimebundle_()
    assert bundle == {"text/plain": graphviz_tools.DOT_MISSING}


def test_the_inactive_edge_is_drawn_dashed_and_the_activation_on_y():
    on, off = toy_dag(ToyArchitecture("relu", True)).source, toy_dag(ToyArchitecture("tanh", False)).source
    assert "relu" in on and "dashed" not in on
    assert "tanh" in off and "dashed" in off
    if graphviz_tools.dot_available():
        assert to_svg(toy_dag(ToyArchitecture("relu", True))).lstrip().startswith(("<?xml", "<svg"))
