"""Models for the pretty_graphs tests: the inception-like toy graph, as a graph_def holder."""

from tests.misc.graph_analysis.graphs import inception_graph


class GraphDefModel:
    """Just what pretty_graphs needs of a Model: ``graph_def``."""

    def __init__(self, graph_def):
        self.graph_def = graph_def


def inception_model():
    """input -> stem -> {a | b1 -> b2 | pool | skip} -> mixed -> flat -> logits -> softmax."""
    return GraphDefModel(inception_graph().as_graph_def())
