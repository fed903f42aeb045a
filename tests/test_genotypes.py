"""The published architectures of nas_kit.genotypes, checked against their papers' spaces."""
import pytest

from nas_kit import genotypes as G
from nas_kit.spaces import DartsRNNSpace, ENASRNNSpace, darts, enas_micro, nasnet, pnas
from nas_kit.spaces.cell import loose_ends
from nas_kit.spaces.pnas import cell_to_blocks, pnas_genotype
from nas_kit.spaces.enas_rnn import from_genotype, to_genotype


def test_darts_v1_and_v2_are_cells_of_the_darts_space():
    space = darts()
    space.validate(G.DARTS_V1)
    space.validate(G.DARTS_V2)
    assert G.DARTS is G.DARTS_V2


def test_darts_v2_normal_cell_as_in_the_darts_repository():
    assert G.DARTS_V2.normal[-1] == ('dil_conv_3x3', 2)
    assert [op for op, _ in G.DARTS_V2.normal].count('sep_conv_3x3') == 5
    assert G.DARTS_V2.reduce.count(('skip_connect', 2)) == 3


def test_pnasnet_5_is_a_5_block_cell_of_the_pnas_space_shared_by_normal_and_reduction():
    pnas().validate(G.PNASNet)
    assert G.PNASNet.normal == G.PNASNet.reduce
    blocks = cell_to_blocks(G.PNASNet.normal)
    assert len(blocks) == 5 and blocks[0] == (0, 'sep_conv_5x5', 0, 'max_pool_3x3')
    assert pnas_genotype(blocks) == G.PNASNet


def test_enas_cell_is_a_cell_of_the_enas_micro_space():
    enas_micro().validate(G.ENAS)


def test_enas_cells_concatenate_their_loose_ends():
    assert G.ENAS.normal_concat == [2, 3, 4, 5, 6]   # no node feeds another
    assert G.ENAS.reduce_concat == [2, 4, 5, 6]      # node 3 feeds node 4


def test_nasnet_a_and_amoebanet_a_are_cells_of_the_nasnet_space():
    nasnet().validate(G.NASNet)
    nasnet().validate(G.AmoebaNet)


def test_nasnet_a_and_amoebanet_a_use_ops_outside_the_darts_space():
    ops = {op for g in (G.NASNet, G.AmoebaNet) for op, _ in g.normal + g.reduce}
    assert ops - set(G.PRIMITIVES) == {'sep_conv_7x7', 'conv_7x1_1x7'}
    reduce = list(G.DARTS_V2.reduce)
    reduce[1] = ('sep_conv_7x7', 1)
    with pytest.raises(ValueError, match=r"reduce\[1\]\.op 'sep_conv_7x7' is not an op of the DARTS space"):
        darts().validate(G.DARTS_V2._replace(reduce=reduce))


@pytest.mark.parametrize("genotype, normal, reduce", [
    (G.NASNet, [2, 3, 4, 5, 6], [4, 5, 6]),
    (G.AmoebaNet, [4, 5, 6], [3, 4, 6]),
])
def test_nasnet_a_and_amoebanet_a_leave_used_nodes_out_of_the_concat(genotype, normal, reduce):
    assert genotype.normal_concat == normal == loose_ends(genotype.normal, 5)
    assert genotype.reduce_concat == reduce == loose_ends(genotype.reduce, 5)


def test_darts_rnn_cells_are_cells_of_the_darts_rnn_space():
    DartsRNNSpace().validate(G.DARTS_V1_RNN)
    DartsRNNSpace().validate(G.DARTS_V2_RNN)
    assert list(G.DARTS_V2_RNN.concat) == [1, 2, 3, 4, 5, 6, 7, 8]


def test_enas_ptb_cell_is_a_12_node_cell_of_the_enas_rnn_space():
    cell = from_genotype(G.ENAS_RNN)
    ENASRNNSpace(12).validate(cell)
    assert to_genotype(cell) == G.ENAS_RNN   # and the loose ends are its concat


def test_every_op_of_every_published_cnn_cell_is_in_cnn_ops():
    for name, g in G.PUBLISHED.items():
        if isinstance(g, G.Genotype):
            assert {op for op, _ in g.normal + g.reduce} <= set(G.CNN_OPS), name
    for prims in (G.PRIMITIVES, G.ENAS_PRIMITIVES, G.PNAS_PRIMITIVES, G.NASNET_PRIMITIVES):
        assert set(prims) <= set(G.CNN_OPS)


def test_op_lists_have_the_papers_lengths():
    assert len(G.PRIMITIVES) == 8 and 'none' in G.PRIMITIVES
    assert len(G.ENAS_PRIMITIVES) == 5
    assert len(G.PNAS_PRIMITIVES) == 8
    assert G.RNN_PRIMITIVES == ['none', 'tanh', 'relu', 'sigmoid', 'identity']


def test_published_holds_all_nine():
    assert set(G.PUBLISHED) == {'NASNet', 'AmoebaNet', 'DARTS_V1', 'DARTS_V2', 'ENAS', 'PNASNet',
                                'DARTS_V1_RNN', 'DARTS_V2_RNN', 'ENAS_RNN'}
