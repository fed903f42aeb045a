"""Search spaces: sizes as the papers state them, and every space's contract."""
import math
import random
from collections import Counter

import pytest

from nas_kit import genotypes as G
from nas_kit.registry import SPACES
from nas_kit.spaces import (DartsRNNSpace, ENASMacroSpace, ENASRNNSpace, InvalidArchitecture,
                            NASRLSpace, darts, enas_micro, nasnet, pnas)
from nas_kit.spaces.nas_rl import Layer


# ------------------------------------------------------------ sizes
def test_enas_macro_space_with_12_layers_has_1_6e29_networks():
    size = ENASMacroSpace(12).size()
    assert size == 6 ** 12 * 2 ** 66
    assert f"{size:.2g}" == "1.6e+29"


def test_enas_micro_space_with_7_nodes_has_1_3e11_cells_as_the_paper_counts():
    space = enas_micro()
    assert space.paper_size() == (5 * math.factorial(5)) ** 4
    assert f"{space.paper_size():.2g}" == "1.3e+11"
    # counted exactly, every node choosing 2 ordered (input, op) pairs, for both cells
    assert space.size() == math.prod(((j + 2) * 5) ** 2 for j in range(5)) ** 2


def test_pnas_5_block_space_is_the_product_of_b_plus_1_squared_times_8_squared():
    assert pnas(5).size() == math.prod((b + 1) ** 2 * 8 ** 2 for b in range(1, 6))
    assert 1e14 < pnas(5).size() < 1e15


def test_there_are_exactly_256_one_block_pnas_cells():
    space = pnas(1)
    cells = list(space.enumerate())
    assert space.size() == 256
    assert len({space.encode(c) for c in cells}) == 256


def test_darts_space_has_about_1e18_normal_and_reduction_pairs():
    assert darts().size() == (math.prod(math.comb(j + 2, 2) for j in range(4)) * 7 ** 8) ** 2
    assert f"{darts().size():.2g}" == "1.1e+18"


def test_enas_rnn_space_counts_4_to_the_n_times_n_minus_1_factorial():
    assert ENASRNNSpace(12).size() == 4 ** 12 * math.factorial(11)
    assert ENASRNNSpace(12).paper_size() == 4 ** 12 * math.factorial(12)   # "~1e15" in section 2.2


def test_darts_rnn_space_counts_4_to_the_8_times_8_factorial():
    assert DartsRNNSpace(8).size() == 4 ** 8 * math.factorial(8)


def test_nas_rl_space_size():
    assert NASRLSpace(3).size() == 64 ** 3 * 2 ** 3
    assert NASRLSpace(3, predict_stride=True).size() == (64 * 9) ** 3 * 2 ** 3     # stride height and width, each of 3


SMALL = [pnas(1), darts(1), enas_micro(1), DartsRNNSpace(3), ENASRNNSpace(3), ENASMacroSpace(2),
         NASRLSpace(1, predict_stride=True)]


@pytest.mark.parametrize("space", SMALL, ids=lambda s: s.name)
def test_enumerate_gives_size_distinct_architectures(space):
    archs = list(space.enumerate())
    assert len(archs) == space.size() == len({space.encode(a) for a in archs})


def test_large_spaces_refuse_to_enumerate():
    with pytest.raises(NotImplementedError, match="too many"):
        darts().enumerate()


# ------------------------------------------------------------ the contract of every space
ALL = [f() for name, f in SPACES.items() if name != "toy1d"] + [NASRLSpace(5, predict_stride=True), pnas(2)]


@pytest.mark.parametrize("space", ALL, ids=lambda s: s.name)
def test_sample_encode_decode_round_trips_and_validates(space):
    for seed in range(100):
        arch = space.sample(seed)
        space.validate(arch)
        text = space.encode(arch)
        assert isinstance(text, str)
        assert space.decode(text) == arch
        assert space.sample(seed) == arch   # a seed fixes the sample


@pytest.mark.parametrize("space", ALL, ids=lambda s: s.name)
def test_mutate_changes_exactly_one_thing_and_stays_in_the_space(space):
    rng = random.Random(0)
    for seed in range(100):
        arch = space.sample(seed)
        child = space.mutate(arch, rng)
        space.validate(child)
        assert child != arch


def test_sampling_is_uniform_over_a_small_space():
    space = ENASRNNSpace(3)   # 128 cells
    counts = Counter(space.encode(space.sample(rng)) for rng in [random.Random(1)] for _ in range(25600))
    assert len(counts) == 128
    assert 100 < min(counts.values()) and max(counts.values()) < 300   # expected 200 each


def test_darts_sampling_is_uniform_over_unordered_input_pairs():
    space = darts(2)
    rng = random.Random(0)
    counts = Counter(tuple(sorted(i for _, i in space.sample(rng).normal[2:4])) for _ in range(3000))
    assert set(counts) == {(0, 1), (0, 2), (1, 2)}
    assert max(counts.values()) < 1.2 * min(counts.values())


# ------------------------------------------------------------ refusals name the field
def refused(space, arch):
    with pytest.raises(InvalidArchitecture) as info:
        space.validate(arch)
    return str(info.value)


def test_an_op_outside_the_space_is_refused():
    normal = list(G.DARTS_V2.normal)
    normal[3] = ('conv_9x9', 1)
    msg = refused(darts(), G.DARTS_V2._replace(normal=normal))
    assert "normal[3].op 'conv_9x9' is not an op of the DARTS space (choose from" in msg


def test_an_input_out_of_range_is_refused():
    reduce = list(G.DARTS_V2.reduce)
    reduce[5] = ('skip_connect', 7)
    assert "reduce[5].input 7 is out of range 0..3" in refused(darts(), G.DARTS_V2._replace(reduce=reduce))


def test_a_cell_node_reading_a_later_node_is_a_cycle():
    normal = list(G.PNASNet.normal)
    normal[2] = ('sep_conv_7x7', 5)
    msg = refused(pnas(), G.PNASNet._replace(normal=normal, reduce=normal))
    assert "normal[2].input 5 is out of range 0..2" in msg and "cycle" in msg


def test_darts_refuses_none_and_repeated_inputs_in_a_derived_cell():
    normal = list(G.DARTS_V2.normal)
    normal[0] = ('none', 0)
    assert "normal[0].op 'none'" in refused(darts(), G.DARTS_V2._replace(normal=normal))
    normal = list(G.DARTS_V2.normal)
    normal[1] = ('sep_conv_3x3', 0)
    assert "normal[1].input 0 repeats" in refused(darts(), G.DARTS_V2._replace(normal=normal))


def test_a_wrong_concat_is_refused():
    msg = refused(nasnet(), G.AmoebaNet._replace(normal_concat=[2, 3, 4, 5, 6]))
    assert "normal_concat [2, 3, 4, 5, 6] should be [4, 5, 6]" in msg


def test_pnas_refuses_different_normal_and_reduction_cells():
    assert "reduce differs from normal" in refused(pnas(), G.PNASNet._replace(reduce=G.ENAS.reduce))


def test_enas_rnn_node_reading_a_later_node_is_a_cycle():
    cell = ENASRNNSpace(4).sample(0)
    cell[1] = ('relu', 3)
    msg = refused(ENASRNNSpace(4), cell)
    assert "cell[1].input 3 is out of range 1..1" in msg and "cycle" in msg


def test_darts_rnn_refuses_an_unknown_activation_and_a_forward_input():
    rec = list(G.DARTS_V2_RNN.recurrent)
    rec[2] = ('gelu', 1)
    assert "recurrent[2].op 'gelu' is not an op" in refused(DartsRNNSpace(), G.DARTS_V2_RNN._replace(recurrent=rec))
    rec = list(G.DARTS_V2_RNN.recurrent)
    rec[2] = ('relu', 5)
    assert "recurrent[2].input 5 is out of range 0..2" in refused(DartsRNNSpace(), G.DARTS_V2_RNN._replace(recurrent=rec))


def test_enas_macro_refuses_skips_from_later_layers():
    arch = ENASMacroSpace(3).sample(0)
    arch[1] = ('conv3x3', (1,))
    assert "arch[1].skips contains 1, out of range 0..0" in refused(ENASMacroSpace(3), arch)
    arch[1] = ('conv7x7', ())
    assert "arch[1].op 'conv7x7' is not an op" in refused(ENASMacroSpace(3), arch)


def test_nas_rl_refuses_a_filter_size_or_stride_outside_the_space():
    arch = NASRLSpace(2).sample(0)
    arch[0] = Layer(2, 3, 36, 1, 1, ())
    assert "arch[0].filter_height 2 is not one of 1, 3, 5, 7" in refused(NASRLSpace(2), arch)
    arch[0] = Layer(3, 3, 36, 2, 2, ())
    assert "arch[0].stride_height 2" in refused(NASRLSpace(2), arch)
    NASRLSpace(2, predict_stride=True).validate(arch)


def test_decode_refuses_malformed_text_with_invalid_architecture():
    with pytest.raises(InvalidArchitecture):
        darts().decode("normal: sep_conv_3x3(0) ; reduce: x")
    with pytest.raises(InvalidArchitecture):
        pnas().decode("cell: sep_conv_3x3(0)+sep_conv_3x3(9) | " * 4 + "skip_connect(0)+skip_connect(1)")


@pytest.mark.parametrize("name", list(SPACES))
def test_each_registry_entry_makes_the_space_that_bears_its_key(name):
    assert SPACES[name]().key == name
