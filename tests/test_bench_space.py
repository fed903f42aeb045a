"""The mini tabular benchmark's space (NAS-Bench-201 style): 6 edges, 3 ops, 729 cells."""
import pytest
import torch

from nas_kit.models.bench_network import BenchNetwork
from nas_kit.spaces import InvalidArchitecture
from nas_kit.spaces.bench import BenchSpace


def test_the_space_has_three_to_the_sixth_cells_in_nas_bench_201_string_form():
    space = BenchSpace()
    cells = list(space.enumerate())
    assert space.size() == len(set(cells)) == 729
    arch = ("nor_conv_3x3", "skip_connect", "avg_pool_3x3", "nor_conv_3x3", "skip_connect", "nor_conv_3x3")
    text = space.encode(arch)
    assert text == "|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|nor_conv_3x3~0|skip_connect~1|nor_conv_3x3~2|"
    assert space.decode(text) == arch


def test_a_mutation_changes_exactly_one_edge():
    space = BenchSpace()
    for seed in range(20):
        arch = space.sample(seed)
        child = space.mutate(arch, seed)
        assert sum(a != b for a, b in zip(arch, child)) == 1


def test_an_unknown_op_is_refused_naming_the_edge():
    with pytest.raises(InvalidArchitecture, match=r"edge 1->2.*'conv_9x9'"):
        BenchSpace().validate(("skip_connect", "skip_connect", "conv_9x9", "skip_connect", "skip_connect", "skip_connect"))


def test_the_benchmark_network_trains_forward_and_backward():
    torch.manual_seed(0)
    net = BenchNetwork(BenchSpace().sample(3), C=4)
    out = net(torch.randn(2, 3, 16, 16))
    assert out.shape == (2, 10)
    out.sum().backward()
